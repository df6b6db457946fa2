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

grouped as (
    -- first the ratings of each place and window by the few values the counts look at (stars, tier, the
    -- change, weak and rectified), then the counts over those groups: hashing a handful of small columns per
    -- rating costs less than twenty filtered counts per rating
    select
        window_name,
        place_key,
        month,
        stars,
        tier,
        sign(stars - previous_stars) as change,
        weak_lax,
        rectified,
        count(*) as n
    from in_window
    group by all
),

counted as (
    select
        window_name,
        place_key,
        month,
        sum(n)::bigint as branches,
        coalesce(sum(n) filter (where stars = 0), 0)::bigint as stars_0,
        coalesce(sum(n) filter (where stars = 1), 0)::bigint as stars_1,
        coalesce(sum(n) filter (where stars = 2), 0)::bigint as stars_2,
        coalesce(sum(n) filter (where stars = 3), 0)::bigint as stars_3,
        coalesce(sum(n) filter (where stars = 4), 0)::bigint as stars_4,
        coalesce(sum(n) filter (where stars = 5), 0)::bigint as stars_5,
        sum(stars * n)::bigint as stars_sum,
        coalesce(sum(n) filter (where change > 0), 0)::bigint as upgraded,
        coalesce(sum(n) filter (where change < 0), 0)::bigint as downgraded,
        coalesce(sum(n) filter (where weak_lax), 0)::bigint as weak,
        coalesce(sum(n) filter (where weak_lax and rectified), 0)::bigint as rectified,
        coalesce(sum(n) filter (where tier = '好'), 0)::bigint as tier_good,
        coalesce(sum(n) filter (where tier = '较好'), 0)::bigint as tier_fair,
        coalesce(sum(n) filter (where tier = '一般'), 0)::bigint as tier_average,
        coalesce(sum(n) filter (where tier = '差'), 0)::bigint as tier_poor,
        coalesce(sum(n) filter (where tier is null), 0)::bigint as tier_unrated
    from grouped
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
        c.tier_good,
        c.tier_fair,
        c.tier_average,
        c.tier_poor,
        c.tier_unrated,
        c.branches - c.tier_unrated as tier_rated,
        c.stars_3 + c.stars_4 + c.stars_5 as three_plus,
        c.stars_sum,
        ratio(c.stars_5, c.branches) as five_star_share,
        ratio(c.stars_3 + c.stars_4 + c.stars_5, c.branches) as three_plus_share,
        ratio(c.stars_sum, c.branches) as mean_stars,
        ratio(c.rectified, c.weak) as rectification_rate,
        ratio(c.tier_good, c.branches - c.tier_unrated) as good_share
    from counted as c
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
