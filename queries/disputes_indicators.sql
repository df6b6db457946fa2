-- disputes_indicators: every disputes indicator of SPEC, counted by the month a dispute was found.
-- grain: one row per comparison window (current / mom / yoy) per place, per month when $by_month.
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
-- parameters: $code_lo, $code_hi, $divisor, $by_month, $cur_from, $cur_to, $mom_from, $mom_to, $yoy_from, $yoy_to
--   (month numbers year*12+month-1, null = skip the window), $lag_days
with windows as (
    select
        window_name,
        from_month,
        to_month,
        -- resolved is read at the same age in every window (see petitions_indicators.sql)
        last_day(make_date(to_month // 12, to_month % 12 + 1, 1)) + $lag_days::integer as as_of
    from (values
        ('current', $cur_from::integer, $cur_to::integer),
        ('mom', $mom_from::integer, $mom_to::integer),
        ('yoy', $yoy_from::integer, $yoy_to::integer)
    ) as w (window_name, from_month, to_month)
    where from_month is not null
),

found as (
    select
        w.window_name,
        d.code_num // $divisor as place_key,
        case when $by_month then d.month_num end as month_num,
        d.found_on,
        d.status,
        d.resolved_level,
        case when d.status = 'resolved'
                and d.resolved_on <= case when $by_month then last_day(d.found_on) + $lag_days::integer else w.as_of end
            then d.resolved_on end as resolved_by
    from disputes as d
    inner join windows as w on d.month_num between w.from_month and w.to_month
    where (d.month_num between $cur_from and $cur_to
            or d.month_num between $mom_from and $mom_to
            or d.month_num between $yoy_from and $yoy_to)
        and d.code_num between $code_lo and $code_hi
),

counted as (
    select
        window_name,
        place_key,
        month_num,
        count(*) as found,
        count(resolved_by) as resolved,
        count(resolved_by) filter (where resolved_level in ('grid', 'village')) as resolved_locally,
        count(*) filter (where (resolved_by is not null and resolved_level = 'county') or status = 'referred')
            as escalated,
        sum(resolved_by - found_on) as days_to_resolve
    from found
    group by window_name, place_key, month_num
),

final as (
    select
        c.window_name,
        lpad((c.place_key * $divisor)::varchar, 12, '0') as place_code,
        r.name as place_name,
        case when c.month_num is not null
            then printf('%04d-%02d', c.month_num // 12, c.month_num % 12 + 1) end as month,
        c.found,
        c.resolved,
        c.resolved_locally,
        c.escalated,
        c.found - c.resolved as backlog,
        c.resolved / nullif(c.found, 0) as resolution_rate,
        c.resolved_locally / nullif(c.resolved, 0) as local_rate,
        c.escalated / nullif(c.found, 0) as escalation_rate,
        c.days_to_resolve / nullif(c.resolved, 0) as mean_days_to_resolve
    from counted as c
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
