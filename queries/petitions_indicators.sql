-- petitions_indicators: every petitions indicator of SPEC, counted by received month.
-- grain: one row per comparison window (current / mom / yoy) per place (region_code cut to $group_len digits), per month when $by_month.
-- parameters: $prefix, $group_len, $by_month, $cur_from, $cur_to, $mom_from, $mom_to, $yoy_from, $yoy_to (YYYY-MM, null = skip), $min_month, $max_month, $deadline_days, $lag_days
with windows as (
    select *
    from (values
        ('current', $cur_from::varchar, $cur_to::varchar),
        ('mom', $mom_from::varchar, $mom_to::varchar),
        ('yoy', $yoy_from::varchar, $yoy_to::varchar)
    ) as w (window_name, from_month, to_month)
    where from_month is not null
),

cases as (
    select
        w.window_name,
        rpad(left(p.region_code, $group_len), 12, '0') as place_code,
        case when $by_month then p.period end as month,
        p.received_on,
        -- status is read at the same age for every window: as many days after the
        -- window's end as today is after the current window's end (docs/definitions.md),
        -- so this month compares fairly with last month and last year
        case when p.closed_on <= last_day(strptime(case when $by_month then p.period else w.to_month end, '%Y-%m')::date) + $lag_days::integer
            then p.closed_on end as closed_on,
        p.resolved_first_time,
        p.satisfaction,
        p.is_repeat,
        last_day(strptime(case when $by_month then p.period else w.to_month end, '%Y-%m')::date) + $lag_days::integer as as_of
    from petitions as p
    inner join windows as w on p.period between w.from_month and w.to_month
    where p.period between $min_month and $max_month
        and starts_with(p.region_code, $prefix)
),

counted as (
    select
        window_name,
        place_code,
        month,
        count(*) as received,
        count(closed_on) as closed,
        count(*) filter (where closed_on - received_on <= $deadline_days) as closed_on_time,
        count(*) filter (where closed_on is null and received_on + $deadline_days < as_of) as open_overdue,
        count(*) filter (where closed_on is not null and resolved_first_time) as first_attempt,
        count(satisfaction) filter (where closed_on is not null) as rated,
        count(*) filter (where closed_on is not null and satisfaction in ('satisfied', 'basic')) as satisfied,
        count(*) filter (where is_repeat) as repeats,
        sum(closed_on - received_on) as days_to_close
    from cases
    group by all
),

population as (
    select
        rpad(left(region_code, $group_len), 12, '0') as place_code,
        sum(population) as population
    from regions
    where level = 'village' and starts_with(region_code, $prefix)
    group by all
),

final as (
    select
        c.window_name,
        c.place_code,
        r.name as place_name,
        c.month,
        c.received,
        c.closed,
        c.closed_on_time,
        c.open_overdue,
        c.first_attempt,
        c.rated,
        c.satisfied,
        c.repeats,
        pop.population,
        c.closed / nullif(c.received, 0) as closure_rate,
        c.closed_on_time / nullif(c.closed + c.open_overdue, 0) as on_time_rate,
        c.first_attempt / nullif(c.closed, 0) as first_attempt_rate,
        c.satisfied / nullif(c.rated, 0) as satisfaction_rate,
        c.repeats / nullif(c.received, 0) as repeat_rate,
        c.received / nullif(pop.population, 0) * 10000 as per_10k,
        c.days_to_close / nullif(c.closed, 0) as mean_days_to_close
    from counted as c
    left join population as pop on pop.place_code = c.place_code
    left join regions as r on r.region_code = c.place_code
)

select * from final
order by window_name, place_code, month
