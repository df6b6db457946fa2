-- petitions_indicators: every petitions indicator of SPEC, counted by the month a petition was received.
-- grain: one row per window (current / mom / yoy, or each month of a series) per place.
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
--   Windows come as parallel lists $w_name, $w_month, $w_from, $w_to, $w_as_of (see window_months in macros.sql).
-- parameters: $code_lo, $code_hi, $divisor, $w_name, $w_month, $w_from, $w_to, $w_as_of, $deadline_days
with window_months as (
    select *
    from window_months($w_name::varchar[], $w_month::varchar[], $w_from::integer[], $w_to::integer[], $w_as_of::date[])
),

cases as (
    select
        w.window_name,
        w.month,
        p.code_num // $divisor as place_key,
        p.received_on,
        w.as_of,
        -- closed means closed by the window's reading date, so this month compares
        -- fairly with last month and last year
        case when p.closed_on <= w.as_of then p.closed_on end as closed_by,
        p.resolved_first_time,
        p.satisfaction,
        p.is_repeat
    from petitions as p
    inner join window_months as w on w.month_num = p.month_num
    where p.code_num between $code_lo and $code_hi
),

counted as (
    select
        window_name,
        month,
        place_key,
        count(*) as received,
        count(closed_by) as closed,
        count(*) filter (where closed_by - received_on <= $deadline_days) as closed_on_time,
        count(*) filter (where closed_by is null and received_on + $deadline_days::integer < as_of) as open_overdue,
        count(*) filter (where closed_by is not null and resolved_first_time) as first_attempt,
        count(satisfaction) filter (where closed_by is not null) as rated,
        count(*) filter (where closed_by is not null and satisfaction in ('satisfied', 'basic')) as satisfied,
        count(*) filter (where is_repeat) as repeats,
        sum(closed_by - received_on) as days_to_close
    from cases
    group by window_name, month, place_key
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
        place_code(c.place_key, $divisor) as place_code,
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
        -- the on-time rate's base: closed, and still open past the deadline
        c.closed + c.open_overdue as due,
        c.days_to_close,
        pop.population,
        ratio(c.closed, c.received) as closure_rate,
        ratio(c.closed_on_time, c.closed + c.open_overdue) as on_time_rate,
        ratio(c.first_attempt, c.closed) as first_attempt_rate,
        ratio(c.satisfied, c.rated) as satisfaction_rate,
        ratio(c.repeats, c.received) as repeat_rate,
        ratio(c.received, pop.population) * 10000 as per_10k,
        ratio(c.days_to_close, c.closed) as mean_days_to_close
    from counted as c
    left join population as pop on pop.place_key = c.place_key
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
