-- branches_indicators: every branch-rating indicator of SPEC for one rating period per window.
-- grain: one row per comparison window (current / mom = previous rating period / yoy = a year earlier) per place, per rating period when $by_month.
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
-- parameters: $code_lo, $code_hi, $divisor, $by_month, $cur_from, $cur_to, $mom_from, $mom_to, $yoy_from, $yoy_to (rating periods such as 2024-H1, null = skip)
with windows as (
    select *
    from (values
        ('current', $cur_from::varchar, $cur_to::varchar),
        ('mom', $mom_from::varchar, $mom_to::varchar),
        ('yoy', $yoy_from::varchar, $yoy_to::varchar)
    ) as w (window_name, from_period, to_period)
    where from_period is not null
),

rated as (
    -- previous_stars: the branch's stars in its previous rating, whatever period that
    -- was (half-yearly or yearly); the engine derives it once per store version
    select *
    from branches
    where code_num between $code_lo and $code_hi
),

in_window as (
    select
        w.window_name,
        r.code_num // $divisor as place_key,
        case when $by_month then r.period end as month,
        r.*
    from rated as r
    inner join windows as w on r.period between w.from_period and w.to_period
),

counted as (
    select
        window_name,
        place_key,
        month,
        count(*) as branches,
        count(*) filter (where stars = 0) as stars_0,
        count(*) filter (where stars = 1) as stars_1,
        count(*) filter (where stars = 2) as stars_2,
        count(*) filter (where stars = 3) as stars_3,
        count(*) filter (where stars = 4) as stars_4,
        count(*) filter (where stars = 5) as stars_5,
        sum(stars)::bigint as stars_sum,
        count(*) filter (where stars > previous_stars) as upgraded,
        count(*) filter (where stars < previous_stars) as downgraded,
        count(*) filter (where weak_lax) as weak,
        count(*) filter (where weak_lax and rectified) as rectified
    from in_window
    group by window_name, place_key, month
),

final as (
    select
        c.window_name,
        place_code(c.place_key, $divisor) as place_code,
        r.name as place_name,
        c.month,
        c.branches,
        c.stars_0,
        c.stars_1,
        c.stars_2,
        c.stars_3,
        c.stars_4,
        c.stars_5,
        c.upgraded,
        c.downgraded,
        c.weak,
        c.rectified,
        c.stars_3 + c.stars_4 + c.stars_5 as three_plus,
        c.stars_sum,
        ratio(c.stars_5, c.branches) as five_star_share,
        ratio(c.stars_3 + c.stars_4 + c.stars_5, c.branches) as three_plus_share,
        ratio(c.stars_sum, c.branches) as mean_stars,
        ratio(c.rectified, c.weak) as rectification_rate
    from counted as c
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
