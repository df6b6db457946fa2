-- disputes_indicators: every disputes indicator of SPEC, counted by found month.
-- grain: one row per comparison window (current / mom / yoy) per place (region_code cut to $group_len digits), per month when $by_month.
-- parameters: $prefix, $group_len, $by_month, $cur_from, $cur_to, $mom_from, $mom_to, $yoy_from, $yoy_to (YYYY-MM, null = skip), $min_month, $max_month, $lag_days
with windows as (
    select *
    from (values
        ('current', $cur_from::varchar, $cur_to::varchar),
        ('mom', $mom_from::varchar, $mom_to::varchar),
        ('yoy', $yoy_from::varchar, $yoy_to::varchar)
    ) as w (window_name, from_month, to_month)
    where from_month is not null
),

found as (
    select
        w.window_name,
        rpad(left(d.region_code, $group_len), 12, '0') as place_code,
        case when $by_month then d.period end as month,
        d.found_on,
        d.status,
        d.resolved_level,
        -- resolved means resolved at the same age for every window (see petitions_indicators.sql)
        case when d.status = 'resolved'
                and d.resolved_on <= last_day(strptime(case when $by_month then d.period else w.to_month end, '%Y-%m')::date) + $lag_days::integer
            then d.resolved_on end as resolved_on
    from disputes as d
    inner join windows as w on d.period between w.from_month and w.to_month
    where d.period between $min_month and $max_month
        and starts_with(d.region_code, $prefix)
),

counted as (
    select
        window_name,
        place_code,
        month,
        count(*) as found,
        count(resolved_on) as resolved,
        count(resolved_on) filter (where resolved_level in ('grid', 'village')) as resolved_locally,
        count(*) filter (where (resolved_on is not null and resolved_level = 'county') or status = 'referred')
            as escalated,
        sum(resolved_on - found_on) as days_to_resolve
    from found
    group by all
),

final as (
    select
        c.window_name,
        c.place_code,
        r.name as place_name,
        c.month,
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
    left join regions as r on r.region_code = c.place_code
)

select * from final
order by window_name, place_code, month
