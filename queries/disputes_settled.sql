-- disputes_settled: per village and month, the disputes counts as they will stay (dispute_counts read on the
--   infinite date, the backlog at the month's last day), and settled_on, the month's first day on which every one
--   of its disputes already reads so (the day after its last deadline, or its last resolution if later). See
--   petitions_settled.sql; disputes_indicators.sql uses a month's row only as its window's last month, since a
--   window's backlog is read at the window's last day.
-- grain: one row per village with disputes in the month, by code (added month by month, see petitions_settled.sql).
-- parameters: $deadline_days, $month_num (one month at a time: a whole province's months at once held a hash
--   table of every village-month and sorted it, about 300 MB more at the peak)
with counted as (
    select
        code_num,
        month_num,
        dispute_counts(found_on, resolved_by(status, resolved_on, 'infinity'::date), status, resolved_level,
                       open_at(status, resolved_on, last_day(make_date(month_num // 12, month_num % 12 + 1, 1))),
                       'infinity'::date, $deadline_days) as c,
        max(greatest(found_on + ($deadline_days + 1)::integer,
                     case when status = 'resolved' then resolved_on end)) as settled_on
    from disputes
    -- as disputes_indicators.sql counts a case only once it is in (found_on on or before the reading date)
    where month_num = $month_num and found_on is not null
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
