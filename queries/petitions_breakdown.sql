-- petitions_breakdown: petitions received and closed per value of one column (channel or category).
-- grain: one row per value of $dimension for the place and months in view.
-- parameters: $code_lo, $code_hi, $from_month, $to_month (month numbers), $dimension ('channel' | 'category'), $as_of
select
    coalesce(case $dimension when 'channel' then channel when 'category' then category end, '未填') as value,
    count(*) as received,
    count(*) filter (where closed_on <= $as_of::date) as closed,
    count(*) filter (where is_repeat) as repeats
from petitions
where month_num between $from_month and $to_month
    and code_num between $code_lo and $code_hi
group by value
order by received desc
