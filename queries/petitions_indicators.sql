-- petitions_indicators: every petitions indicator of SPEC, counted by the month a petition was received,
--   read as of each window's reading date (the view date; a comparison "at the same age" earlier).
-- grain: one row per window (current / mom / yoy / *_same_age, or each month of a series) per place, for every
--   place under the view and every window that holds a month with data (a place without cases counts 0 there).
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
--   Windows come as parallel lists $w_name, $w_month, $w_from, $w_to, $w_as_of (see window_months in macros.sql).
-- parameters: $code_lo, $code_hi, $divisor, $w_name, $w_month, $w_from, $w_to, $w_as_of, $deadline_days,
--   $data_months (month numbers that hold petitions data anywhere)
-- reads: petitions, regions, and petitions_settled(_months) (the Engine builds them per version and deadline)
with window_months as (
    -- settled: the window reads this month on or after the day every case of it stands as it will stay
    -- (petitions_settled.sql), so the month is counted from its per-village settled counts, not case by case
    select w.*, coalesce(s.settled_on <= w.as_of, false) as settled
    from window_months($w_name::varchar[], $w_month::varchar[], $w_from::integer[], $w_to::integer[], $w_as_of::date[])
        as w
    left join petitions_settled_months as s on s.month_num = w.month_num and s.deadline_days = $deadline_days
),

windows as (
    -- SPEC "zero is not missing": a window with a month of data counts 0 where it has no case; a window with
    -- no month of data at all has no row (无数据)
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

cases as (
    select
        w.window_id,
        p.code_num // $divisor as place_key,
        p.received_on,
        w.as_of,
        closed_by(p.closed_on, w.as_of) as closed_by,
        p.resolved_first_time,
        p.satisfaction,
        p.is_repeat
    from petitions as p
    inner join window_months as w on w.month_num = p.month_num
    where p.code_num between $code_lo and $code_hi
        and p.received_on <= w.as_of
        and not w.settled
),

counted as (
    select
        window_id,
        place_key,
        sum(received)::bigint as received,
        sum(closed)::bigint as closed,
        sum(closed_on_time)::bigint as closed_on_time,
        sum(open_overdue)::bigint as open_overdue,
        sum(first_attempt)::bigint as first_attempt,
        sum(rated)::bigint as rated,
        sum(satisfied)::bigint as satisfied,
        sum(repeats)::bigint as repeats,
        sum(days_to_close) as days_to_close,
        bool_and(all_due) as all_due
    from (
        select
            window_id,
            place_key,
            unnest(petition_counts(received_on, closed_by, as_of, resolved_first_time, satisfaction, is_repeat,
                                   $deadline_days))
        from cases
        -- grouped by the window's integer id, not its name and month: hashing two strings per case row was
        -- about a tenth of the query's CPU at province scale
        group by window_id, place_key
        union all by name
        select
            w.window_id,
            s.code_num // $divisor as place_key,
            s.* exclude (code_num, month_num, deadline_days, settled_on)
        from petitions_settled as s
        inner join window_months as w on w.month_num = s.month_num and w.settled
        where s.deadline_days = $deadline_days and s.code_num between $code_lo and $code_hi
    )
    group by window_id, place_key
),

population as (
    select
        code_num // $divisor as place_key,
        sum(population) as population
    from regions
    where level = 'village' and code_num between $code_lo and $code_hi
    group by place_key
),

filled as (
    select
        w.window_name,
        w.month,
        pl.place_key,
        coalesce(c.received, 0) as received,
        coalesce(c.closed, 0) as closed,
        coalesce(c.closed_on_time, 0) as closed_on_time,
        coalesce(c.open_overdue, 0) as open_overdue,
        coalesce(c.first_attempt, 0) as first_attempt,
        coalesce(c.rated, 0) as rated,
        coalesce(c.satisfied, 0) as satisfied,
        coalesce(c.repeats, 0) as repeats,
        coalesce(c.days_to_close, 0) as days_to_close,
        -- without cases, the window is mature once any case it could hold would be past its deadline
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
        c.received,
        c.closed,
        c.closed_on_time,
        c.open_overdue,
        c.open_overdue as overdue,
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
    from filled as c
    left join population as pop on pop.place_key = c.place_key
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
