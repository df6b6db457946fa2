-- cases_petitions_overdue: the petitions behind the 超期未办结 card, read on the view date: received in the
--   months in view and by $as_of, not closed by $as_of, and past the deadline on it (petitions_indicators' overdue).
-- grain: one row per petition, longest open first.
-- parameters: $code_lo, $code_hi, $from_month, $to_month, $as_of, $deadline_days
with open_cases as (
    select *
    from petitions
    where code_num between $code_lo and $code_hi
        and month_num between $from_month and $to_month
        and received_on <= $as_of::date
        -- closed means closed by the reading date, as on the card
        and not coalesce(closed_on <= $as_of::date, false)
        and received_on + $deadline_days::integer < $as_of::date
),

final as (
    select
        p.case_id,
        p.region_code,
        v.name as village_name,
        t.name as town_name,
        p.received_on,
        p.received_on + $deadline_days::integer as due_on,
        $as_of::date - p.received_on as days_open,
        p.channel,
        p.category,
        p.is_repeat
    from open_cases as p
    left join regions as v on v.region_code = p.region_code
    left join regions as t on t.region_code = v.parent_code
)

select * from final
order by days_open desc, case_id
