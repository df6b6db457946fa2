-- disputes_breakdown: disputes found, resolved and unresolved per value of one column.
-- grain: one row per value of $dimension ('category' | 'resolved_level' | 'status') for the place and months in view.
-- parameters: $code_lo, $code_hi, $from_month, $to_month (month numbers), $dimension, $as_of
with found as (
    select
        case $dimension
            when 'category' then category
            when 'resolved_level' then case when status = 'resolved' and resolved_on <= $as_of::date
                then resolved_level else 'unresolved' end
            when 'status' then status
        end as value,
        status = 'resolved' and resolved_on <= $as_of::date as resolved
    from disputes
    where month_num between $from_month and $to_month
        and code_num between $code_lo and $code_hi
)

select
    coalesce(value, '未填') as value,
    count(*) as found,
    count(*) filter (where resolved) as resolved,
    count(*) filter (where not resolved) as unresolved
from found
group by all
order by found desc
