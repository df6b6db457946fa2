-- petitions_deadline: how long petitions took, against the handling deadline, read on $as_of.
-- grain: one row per bucket (closed within 15 / 30 / the deadline / late; open within / past the deadline).
-- parameters: $code_lo, $code_hi, $from_month, $to_month (month numbers), $as_of, $deadline_days
with cases as (
    select
        received_on,
        case when closed_on <= $as_of::date then closed_on end as closed_by
    from petitions
    where month_num between $from_month and $to_month
        and code_num between $code_lo and $code_hi
),

bucketed as (
    select
        case
            when closed_by is not null and closed_by - received_on <= 15 then 1
            when closed_by is not null and closed_by - received_on <= 30 then 2
            when closed_by is not null and closed_by - received_on <= $deadline_days then 3
            when closed_by is not null then 4
            when received_on + $deadline_days::integer >= $as_of::date then 5
            else 6
        end as bucket
    from cases
),

final as (
    select
        b.bucket,
        case b.bucket
            when 1 then '15天内办结'
            when 2 then '16-30天办结'
            when 3 then '31天至期限内办结'
            when 4 then '超期办结'
            when 5 then '在办（未超期）'
            else '在办（已超期）'
        end as label,
        count(*) as petitions
    from bucketed as b
    group by b.bucket
)

select * from final
order by bucket
