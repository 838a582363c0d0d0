-- The federal list for the benchmark, as text: :entries numbered entries.
-- Every 100th names a generated record the way the list does (its title with
-- ё for е, quotes and a dash, the first author's surname and initials, a
-- court's decision), so that recall can be counted; the others are made of
-- the same vocabulary (a few of them will resemble a record by chance, as
-- in life). Writes the list to :outfile and the seeded pairs to :seedfile.
\set ON_ERROR_STOP on
\pset tuples_only on
\pset format unaligned
SET search_path = catalog, public;
CREATE TEMP TABLE seeds AS
SELECT n, r.id, r.title, r.authors
FROM generate_series(100, :entries, 100) n
JOIN records r ON r.id = md5('bench-ext-' || (1 + (n::bigint * 7919) % :records))::uuid;
\o :seedfile
SELECT n || ' ' || id FROM seeds ORDER BY n;
\o :outfile
SELECT 'Федеральный список экстремистских материалов';
SELECT n || '. ' ||
       CASE WHEN s.n IS NOT NULL THEN
           'Книга ' || coalesce(s.authors[1] || ' ', '') || '«' ||
           regexp_replace(translate(s.title, 'е', 'ё'), ' ', ' — ') || '»'
       ELSE
           (ARRAY['Листовка', 'Брошюра', 'Статья', 'Видеоролик', 'Книга'])[1 + g % 5] || ' «' ||
           initcap(w1) || ' ' || w2 || ' ' || w3 || ' ' || (g % 997) || '»'
       END ||
       ' (решение Энского районного суда от 01.02.2010 по делу № 2-' || g || ');'
FROM generate_series(1, :entries) g
CROSS JOIN LATERAL (SELECT g AS n) x
LEFT JOIN seeds s USING (n)
CROSS JOIN LATERAL (
    SELECT (string_to_array('слово правда свобода воля народ вера путь борьба враг истина ' ||
                            'голос знамя дух сила огонь земля кровь честь', ' '))[1 + (g * 13) % 18] AS w1,
           (string_to_array('наш великий последний новый тайный истинный единый вечный', ' '))[1 + (g * 7) % 8] AS w2,
           (string_to_array('призыв манифест завет ответ час выбор знак крик', ' '))[1 + (g * 11) % 8] AS w3) t
ORDER BY g;
\o
