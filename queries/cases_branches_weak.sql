-- cases_branches_weak: the branches behind the 软弱涣散数 card: weak and lax in the rating period shown, with
--   whether each was rectified ($unrectified_only: those not yet).
-- grain: one row per branch, not yet rectified first.
-- parameters: $code_lo, $code_hi, $period, $unrectified_only
with final as (
    select
        b.branch_id,
        b.branch_name,
        b.region_code,
        v.name as village_name,
        t.name as town_name,
        b.period,
        b.stars,
        b.previous_stars,
        b.score,
        b.tier,
        coalesce(b.rectified, false) as rectified
    from branches as b
    left join regions as v on v.region_code = b.region_code
    left join regions as t on t.region_code = v.parent_code
    where b.period = $period
        and b.code_num between $code_lo and $code_hi
        and b.weak_lax
        and (not $unrectified_only or not coalesce(b.rectified, false))
)

select * from final
order by rectified, stars, branch_id
