-- macros: shared SQL, defined once per connection by queries/__init__.py (not a query to run by name).

-- window_months: the comparison windows a monthly indicator query counts in, as parallel lists
-- (governance/metrics/indicators.py builds them), turned into one row per window and month, so facts join
-- on an equality. A window is current / mom / yoy, or one month of a series (w_month its label);
-- w_as_of is the date its case status is read (docs/definitions.md); end_day is the window's last day.
create or replace macro window_months(w_name, w_month, w_from, w_to, w_as_of) as table
with windows as (
    select
        generate_subscripts(w_name, 1) as window_id,
        unnest(w_name) as window_name,
        unnest(w_month) as month,
        unnest(w_from) as from_month,
        unnest(w_to) as to_month,
        unnest(w_as_of) as as_of
)

select
    window_id,
    window_name,
    month,
    as_of,
    last_day(make_date(to_month // 12, to_month % 12 + 1, 1)) as end_day,
    to_month,
    unnest(range(from_month, to_month + 1))::integer as month_num
from windows;

-- ratio: a rate or mean as a sum over a sum; a zero base gives null (shown "—"), never a division error.
-- Every rate of the *_indicators queries is ratio(numerator, denominator), the pair the contract names for it
-- (governance/core/contract.py), so its base can be shown and checked anywhere.
create or replace macro ratio(numerator, denominator) as numerator / nullif(denominator, 0);

-- place_code: the 12-digit code of a roll-up place from its key (code_num // divisor).
create or replace macro place_code(place_key, divisor) as lpad((place_key * divisor)::varchar, 12, '0');

-- Reading a case on a day (SPEC "Reading figures on a given day"): a figure read on a past day is what it was then.
-- closed_by: a petition's closing date if it was closed by the reading date as_of.
create or replace macro closed_by(closed_on, as_of) as case when closed_on <= as_of then closed_on end;
-- resolved_by: a dispute's resolution date if it was resolved by as_of (a referred or open one never is).
create or replace macro resolved_by(status, resolved_on, as_of) as
    case when status = 'resolved' and resolved_on <= as_of then resolved_on end;
-- open_at: whether a dispute was still unresolved on a day (the backlog is read at a window's last day).
create or replace macro open_at(status, resolved_on, day) as not coalesce(status = 'resolved' and resolved_on <= day, false);

-- petition_counts / dispute_counts: the counts every petitions (disputes) indicator rests on, over a group of cases
-- read on as_of. Defined once, for two users: petitions_indicators.sql counts case rows read on each window's
-- date, and petitions_settled.sql counts each village's month read on the infinite date, after every deadline and
-- every closing (the counts a month keeps once it is settled). A struct, so a query takes it whole (unnest).
create or replace macro petition_counts(received_on, closed_by, as_of, resolved_first_time, satisfaction, is_repeat,
                                        deadline_days) as {
    'received': count(*),
    'closed': count(closed_by),
    'closed_on_time': count(*) filter (where closed_by - received_on <= deadline_days),
    'open_overdue': count(*) filter (where closed_by is null and received_on + deadline_days::integer < as_of),
    'first_attempt': count(*) filter (where closed_by is not null and resolved_first_time),
    -- SPEC: satisfied + basic over rated, answers given on cases still open included
    'rated': count(satisfaction),
    'satisfied': count(*) filter (where satisfaction in ('satisfied', 'basic')),
    'repeats': count(*) filter (where is_repeat),
    'days_to_close': sum(closed_by - received_on),
    -- mature: every case is past its deadline on the reading date
    'all_due': bool_and(received_on + deadline_days::integer < as_of)
};

create or replace macro dispute_counts(found_on, resolved_by, status, resolved_level, open_at_end, as_of,
                                       deadline_days) as {
    'found': count(*),
    'resolved': count(resolved_by),
    'resolved_locally': count(resolved_by) filter (where resolved_level in ('grid', 'village')),
    'escalated': count(*) filter (where (resolved_by is not null and resolved_level = 'county') or status = 'referred'),
    'days_to_resolve': sum(resolved_by - found_on),
    'backlog': count(*) filter (where open_at_end),
    'overdue': count(*) filter (where resolved_by is null and found_on + deadline_days::integer < as_of),
    -- mature: every dispute is past its resolution deadline on the reading date
    'all_due': bool_and(found_on + deadline_days::integer < as_of)
};
