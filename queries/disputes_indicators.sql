-- disputes_indicators: every disputes indicator of SPEC, counted by the month a dispute was found,
--   read as of each window's reading date (the view date; a comparison "at the same age" earlier).
-- grain: one row per window (current / mom / yoy / *_same_age, or each month of a series) per place, for every
--   place under the view and every window that holds a month with data (a place without disputes counts 0 there).
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
--   Windows come as parallel lists $w_name, $w_month, $w_from, $w_to, $w_as_of (see window_months in macros.sql).
-- parameters: $code_lo, $code_hi, $divisor, $w_name, $w_month, $w_from, $w_to, $w_as_of, $deadline_days
--   (the resolution deadline), $data_months (month numbers that hold disputes data anywhere)
with window_months as (
    select *
    from window_months($w_name::varchar[], $w_month::varchar[], $w_from::integer[], $w_to::integer[], $w_as_of::date[])
),

windows as (
    -- see petitions_indicators.sql: zero is not missing
    select window_name, month, any_value(as_of) as as_of, any_value(end_day) as end_day
    from window_months
    group by window_name, month
    having bool_or(list_contains($data_months::integer[], month_num))
),

places as (
    select distinct code_num // $divisor as place_key
    from regions
    where level = 'village' and code_num between $code_lo and $code_hi
),

found as (
    select
        w.window_name,
        w.month,
        d.code_num // $divisor as place_key,
        d.found_on,
        d.status,
        d.resolved_level,
        w.as_of,
        -- resolved means resolved by the window's reading date (see petitions_indicators.sql)
        case when d.status = 'resolved' and d.resolved_on <= w.as_of then d.resolved_on end as resolved_by,
        -- SPEC: backlog is what was not resolved by the end of the last month in view
        not coalesce(d.status = 'resolved' and d.resolved_on <= least(w.end_day, w.as_of), false) as open_at_end
    from disputes as d
    inner join window_months as w on w.month_num = d.month_num
    where d.code_num between $code_lo and $code_hi
        and d.found_on <= w.as_of
),

counted as (
    select
        window_name,
        month,
        place_key,
        count(*) as found,
        count(resolved_by) as resolved,
        count(resolved_by) filter (where resolved_level in ('grid', 'village')) as resolved_locally,
        count(*) filter (where (resolved_by is not null and resolved_level = 'county') or status = 'referred')
            as escalated,
        sum(resolved_by - found_on) as days_to_resolve,
        count(*) filter (where open_at_end) as backlog,
        count(*) filter (where resolved_by is null and found_on + $deadline_days::integer < as_of) as overdue,
        -- mature: every dispute is past its resolution deadline on the reading date
        bool_and(found_on + $deadline_days::integer < as_of) as all_due
    from found
    group by window_name, month, place_key
),

filled as (
    select
        w.window_name,
        w.month,
        pl.place_key,
        coalesce(c.found, 0) as found,
        coalesce(c.resolved, 0) as resolved,
        coalesce(c.resolved_locally, 0) as resolved_locally,
        coalesce(c.escalated, 0) as escalated,
        coalesce(c.backlog, 0) as backlog,
        coalesce(c.overdue, 0) as overdue,
        coalesce(c.days_to_resolve, 0) as days_to_resolve,
        coalesce(c.all_due, least(w.end_day, w.as_of) + $deadline_days::integer < w.as_of) as mature
    from windows as w
    cross join places as pl
    left join counted as c on c.window_name = w.window_name and c.month is not distinct from w.month
        and c.place_key = pl.place_key
),

final as (
    select
        c.window_name,
        place_code(c.place_key, $divisor) as place_code,
        r.name as place_name,
        c.month,
        c.mature,
        c.found,
        c.resolved,
        c.resolved_locally,
        c.escalated,
        c.backlog,
        c.overdue,
        c.days_to_resolve,
        ratio(c.resolved, c.found) as resolution_rate,
        ratio(c.resolved_locally, c.resolved) as local_rate,
        ratio(c.escalated, c.found) as escalation_rate,
        ratio(c.days_to_resolve, c.resolved) as mean_days_to_resolve
    from filled as c
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
