-- branches_list: the branches of one rating period under a place, weakest first.
-- grain: one row per branch.
-- parameters: $code_lo, $code_hi, $period, $weak_only
select
    b.branch_id,
    b.branch_name,
    b.region_code,
    v.name as village_name,
    t.name as town_name,
    b.stars,
    b.previous_stars,
    b.score,
    b.tier,
    b.weak_lax,
    b.rectified
from branches as b
left join regions as v on v.region_code = b.region_code
left join regions as t on t.region_code = v.parent_code
where b.period = $period
    and b.code_num between $code_lo and $code_hi
    and (not $weak_only or b.weak_lax)
order by b.weak_lax desc, b.stars, b.score nulls first, b.branch_id
