-- cases_disputes_open: the disputes behind the 超期未化解 card ($overdue_only: not resolved by $as_of and
--   found more than the deadline before it) or the 未化解 figure (not resolved by the end of the last month in view,
--   $end_day, or by $as_of when that is earlier), as disputes_indicators counts them.
-- grain: one row per dispute, longest open first.
-- parameters: $code_lo, $code_hi, $from_month, $to_month, $as_of, $end_day, $deadline_days, $overdue_only
with found as (
    select
        *,
        case when status = 'resolved' and resolved_on <= $as_of::date then resolved_on end as resolved_by
    from disputes
    where code_num between $code_lo and $code_hi
        and month_num between $from_month and $to_month
        and found_on <= $as_of::date
),

open_cases as (
    select *
    from found
    where case
        when $overdue_only then resolved_by is null and found_on + $deadline_days::integer < $as_of::date
        else not coalesce(status = 'resolved' and resolved_on <= least($end_day::date, $as_of::date), false)
    end
),

final as (
    select
        d.dispute_id,
        d.region_code,
        v.name as village_name,
        t.name as town_name,
        d.found_on,
        d.found_on + $deadline_days::integer as due_on,
        $as_of::date - d.found_on as days_open,
        d.category,
        d.status
    from open_cases as d
    left join regions as v on v.region_code = d.region_code
    left join regions as t on t.region_code = v.parent_code
)

select * from final
order by days_open desc, dispute_id
