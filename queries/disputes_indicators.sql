-- disputes_indicators: every disputes indicator of SPEC, counted by the month a dispute was found,
--   read as of each window's reading date (the view date; a comparison "at the same age" earlier).
-- grain: one row per window (current / mom / yoy / *_same_age, or each month of a series) per place, for every
--   place under the view and every window that holds a month with data (a place without disputes counts 0 there).
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
--   Windows come as parallel lists $w_name, $w_month, $w_from, $w_to, $w_as_of (see window_months in macros.sql).
-- parameters: $code_lo, $code_hi, $divisor, $w_name, $w_month, $w_from, $w_to, $w_as_of, $deadline_days
--   (the resolution deadline), $data_months (month numbers that hold disputes data anywhere)
-- reads: disputes, regions, and disputes_settled(_months) (the Engine builds them per version and deadline)
with window_months as (
    -- settled: the window reads this month, its last, on or after the day every dispute of it stands as it will
    -- stay (disputes_settled.sql), so the month is counted from its per-village settled counts, not case by case;
    -- an earlier month of a longer window is counted case by case (its backlog is read at the window's last day)
    select w.*, coalesce(s.settled_on <= w.as_of and w.month_num = w.to_month, false) as settled
    from window_months($w_name::varchar[], $w_month::varchar[], $w_from::integer[], $w_to::integer[], $w_as_of::date[])
        as w
    left join disputes_settled_months as s on s.month_num = w.month_num and s.deadline_days = $deadline_days
),

windows as (
    -- see petitions_indicators.sql: zero is not missing
    select window_id, any_value(window_name) as window_name, any_value(month) as month, any_value(as_of) as as_of,
        any_value(end_day) as end_day
    from window_months
    group by window_id
    having bool_or(list_contains($data_months::integer[], month_num))
),

places as (
    select distinct code_num // $divisor as place_key
    from regions
    where level = 'village' and code_num between $code_lo and $code_hi
),

found as (
    select
        w.window_id,
        d.code_num // $divisor as place_key,
        d.found_on,
        d.status,
        d.resolved_level,
        w.as_of,
        resolved_by(d.status, d.resolved_on, w.as_of) as resolved_by,
        -- SPEC: backlog is what was not resolved by the end of the last month in view
        open_at(d.status, d.resolved_on, least(w.end_day, w.as_of)) as open_at_end
    from disputes as d
    inner join window_months as w on w.month_num = d.month_num
    where d.code_num between $code_lo and $code_hi
        and d.found_on <= w.as_of
        and not w.settled
),

counted as (
    select
        window_id,
        place_key,
        sum(found)::bigint as found,
        sum(resolved)::bigint as resolved,
        sum(resolved_locally)::bigint as resolved_locally,
        sum(escalated)::bigint as escalated,
        sum(days_to_resolve) as days_to_resolve,
        sum(backlog)::bigint as backlog,
        sum(overdue)::bigint as overdue,
        bool_and(all_due) as all_due
    from (
        select
            window_id,
            place_key,
            unnest(dispute_counts(found_on, resolved_by, status, resolved_level, open_at_end, as_of, $deadline_days))
        from found
        -- grouped by the window's integer id, not its name and month: hashing two strings per case row was
        -- about a tenth of the query's CPU at province scale
        group by window_id, place_key
        union all by name
        select
            w.window_id,
            s.code_num // $divisor as place_key,
            s.* exclude (code_num, month_num, deadline_days, settled_on)
        from disputes_settled as s
        inner join window_months as w on w.month_num = s.month_num and w.settled
        where s.deadline_days = $deadline_days and s.code_num between $code_lo and $code_hi
    )
    group by window_id, place_key
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
    left join counted as c on c.window_id = w.window_id and c.place_key = pl.place_key
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
