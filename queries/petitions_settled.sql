-- petitions_settled: per village and month, the petitions counts as they will stay (petition_counts read on the
--   infinite date: every deadline passed, every closing made), and settled_on, the month's first day on which
--   every one of its cases already reads so (the day after its last deadline, or its last closing if later).
--   The Engine keeps these per store version and deadline; petitions_indicators.sql counts a window's month from
--   them instead of case by case when the window is read on or after settled_on (the same figures, about a
--   quarter of the work at province scale: docs/benchmark.md).
-- grain: one row per village with petitions in the month, by code (the Engine adds the months in order, so a
--   window's months are a few row groups).
-- parameters: $deadline_days, $month_num (one month at a time: a whole province's months at once held a hash
--   table of every village-month and sorted it, about 300 MB more at the peak)
with counted as (
    select
        code_num,
        month_num,
        petition_counts(received_on, closed_by(closed_on, 'infinity'::date), 'infinity'::date, resolved_first_time,
                        satisfaction, is_repeat, $deadline_days) as c,
        max(greatest(received_on + ($deadline_days + 1)::integer, closed_on)) as settled_on
    from petitions
    -- as petitions_indicators.sql counts a case only once it is in (received_on on or before the reading date)
    where month_num = $month_num and received_on is not null
    group by code_num, month_num
),

unnested as (
    select code_num, month_num, settled_on, unnest(c)
    from counted
)

select
    code_num,
    month_num,
    $deadline_days::integer as deadline_days,
    max(settled_on) over () as settled_on,
    -- a village's month fits 32 bits; a province's 1.4M village-months held in 64- and 128-bit columns took
    -- twice the memory
    columns(* exclude (code_num, month_num, settled_on, all_due))::integer,
    all_due
from unnested
order by code_num
