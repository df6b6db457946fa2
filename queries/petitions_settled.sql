-- petitions_settled: per village and month, the petitions counts as they will stay (petition_counts read on the
--   infinite date: every deadline passed, every closing made), and settled_on, the month's first day on which
--   every one of its cases already reads so (the day after its last deadline, or its last closing if later).
--   The Engine keeps these per store version and deadline; petitions_indicators.sql counts a window's month from
--   them instead of case by case when the window is read on or after settled_on (the same figures, about a
--   quarter of the work at province scale: docs/benchmark.md).
-- grain: one row per village and month with petitions, sorted by month (a window's months are then a few row
--   groups).
-- parameters: $deadline_days
with counted as (
    select
        code_num,
        month_num,
        petition_counts(received_on, closed_by(closed_on, 'infinity'::date), 'infinity'::date, resolved_first_time,
                        satisfaction, is_repeat, $deadline_days) as c,
        max(greatest(received_on + ($deadline_days + 1)::integer, closed_on)) as settled_on
    from petitions
    group by code_num, month_num
)

select
    code_num,
    month_num,
    $deadline_days::integer as deadline_days,
    max(settled_on) over (partition by month_num) as settled_on,
    unnest(c)
from counted
order by month_num, code_num
