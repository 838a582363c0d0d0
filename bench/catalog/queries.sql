-- Query sets for the search benchmark, from the generated catalog itself:
-- one word of the real vocabulary, one rare word (a pseudo-word of a title),
-- and two words taken from one title (so that the pair has matches). Written
-- by bench/catalog/run as URL paths, one per line.
\set ON_ERROR_STOP on
\pset tuples_only on
\pset format unaligned
SET search_path = catalog, public;
-- percent-encodes every byte: wrk sends the path as it is
CREATE FUNCTION pg_temp.u(w text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT regexp_replace(encode(convert_to(w, 'UTF8'), 'hex'), '(..)', '%\1', 'g')
$$;
\o :outdir/q_one.txt
SELECT '/api/v1/catalog/records?q=' || pg_temp.u(w) || '&limit=20'
FROM (SELECT lower(split_part(title, ' ', 1)) AS w FROM records TABLESAMPLE SYSTEM (1) REPEATABLE (7)
      WHERE created_by_org = 'bench' LIMIT 2000) x;
\o :outdir/q_rare.txt
SELECT '/api/v1/catalog/records?q=' || pg_temp.u(split_part(title, ' ', 2)) || '&limit=20'
FROM records TABLESAMPLE SYSTEM (1) REPEATABLE (8) WHERE created_by_org = 'bench' LIMIT 2000;
\o :outdir/q_two.txt
SELECT '/api/v1/catalog/records?q=' || pg_temp.u(lower(split_part(title, ' ', 1))) || '%20' ||
       pg_temp.u(lower(split_part(title, ' ', 3))) || '&limit=20'
FROM records TABLESAMPLE SYSTEM (1) REPEATABLE (9)
WHERE created_by_org = 'bench' AND split_part(title, ' ', 3) <> '' LIMIT 2000;
\o :outdir/q_filtered.txt
SELECT '/api/v1/catalog/records?q=' || pg_temp.u(lower(split_part(title, ' ', 1))) ||
       '&available=true&school=school-' || (1 + (abs(hashtext(id::text)) % 500)) || '&limit=20'
FROM records TABLESAMPLE SYSTEM (1) REPEATABLE (10) WHERE created_by_org = 'bench' LIMIT 2000;
-- autocomplete: the first 3 to 6 letters of a title or an author
\o :outdir/q_suggest.txt
SELECT '/api/v1/catalog/suggest?q=' ||
       pg_temp.u(left(lower(CASE WHEN random() < 0.5 OR cardinality(authors) = 0 THEN title
                                 ELSE authors[1] END), 3 + (abs(hashtext(id::text)) % 4))) || '&limit=10'
FROM records TABLESAMPLE SYSTEM (1) REPEATABLE (11) WHERE created_by_org = 'bench' LIMIT 2000;
-- a typo: the first title word of 5 letters or more with its third letter wrong
\o :outdir/q_typo.txt
SELECT '/api/v1/catalog/records?q=' || pg_temp.u(overlay(w placing 'ы' from 3 for 1)) || '&limit=20'
FROM (SELECT lower(split_part(title, ' ', 1)) AS w FROM records TABLESAMPLE SYSTEM (1) REPEATABLE (12)
      WHERE created_by_org = 'bench') x WHERE length(w) >= 5 AND substr(w, 3, 1) <> 'ы' LIMIT 2000;
\o :outdir/byid.txt
SELECT '/api/v1/catalog/records/' || md5('bench-record-' || n)::uuid
FROM generate_series(1, least(100000, (SELECT count(*) FROM records WHERE created_by_org = 'bench'))) n;
\o
