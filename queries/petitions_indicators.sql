-- petitions_indicators: every petitions indicator of SPEC, counted by the month a petition was received.
-- grain: one row per comparison window (current / mom / yoy) per place, per month when $by_month.
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
-- parameters: $code_lo, $code_hi, $divisor, $by_month, $cur_from, $cur_to, $mom_from, $mom_to, $yoy_from, $yoy_to
--   (month numbers year*12+month-1, null = skip the window), $deadline_days, $lag_days
with windows as (
    select
        window_name,
        from_month,
        to_month,
        -- status is read at the same age in every window: $lag_days after the window's
        -- last day, as today is after the current window's (docs/definitions.md)
        last_day(make_date(to_month // 12, to_month % 12 + 1, 1)) + $lag_days::integer as as_of
    from (values
        ('current', $cur_from::integer, $cur_to::integer),
        ('mom', $mom_from::integer, $mom_to::integer),
        ('yoy', $yoy_from::integer, $yoy_to::integer)
    ) as w (window_name, from_month, to_month)
    where from_month is not null
),

cases as (
    select
        w.window_name,
        p.code_num // $divisor as place_key,
        case when $by_month then p.month_num end as month_num,
        p.received_on,
        -- a month of a series is read at its own age, like a window
        case when $by_month then last_day(p.received_on) + $lag_days::integer else w.as_of end as as_of,
        p.closed_on,
        p.resolved_first_time,
        p.satisfaction,
        p.is_repeat
    from petitions as p
    inner join windows as w on p.month_num between w.from_month and w.to_month
    where (p.month_num between $cur_from and $cur_to
            or p.month_num between $mom_from and $mom_to
            or p.month_num between $yoy_from and $yoy_to)
        and p.code_num between $code_lo and $code_hi
),

status as (
    select
        *,
        case when closed_on <= as_of then closed_on end as closed_by
    from cases
),

counted as (
    select
        window_name,
        place_key,
        month_num,
        count(*) as received,
        count(closed_by) as closed,
        count(*) filter (where closed_by - received_on <= $deadline_days) as closed_on_time,
        count(*) filter (where closed_by is null and received_on + $deadline_days::integer < as_of) as open_overdue,
        count(*) filter (where closed_by is not null and resolved_first_time) as first_attempt,
        count(satisfaction) filter (where closed_by is not null) as rated,
        count(*) filter (where closed_by is not null and satisfaction in ('satisfied', 'basic')) as satisfied,
        count(*) filter (where is_repeat) as repeats,
        sum(closed_by - received_on) as days_to_close
    from status
    group by window_name, place_key, month_num
),

population as (
    select
        code_num // $divisor as place_key,
        sum(population) as population
    from regions
    where level = 'village' and code_num between $code_lo and $code_hi
    group by place_key
),

final as (
    select
        c.window_name,
        lpad((c.place_key * $divisor)::varchar, 12, '0') as place_code,
        r.name as place_name,
        case when c.month_num is not null
            then printf('%04d-%02d', c.month_num // 12, c.month_num % 12 + 1) end as month,
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
    left join population as pop on pop.place_key = c.place_key
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
