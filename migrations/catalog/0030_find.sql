-- Fielded search for the Z39.50/SRU server (records.find, services/catalog/find.c):
-- a term searched in one part of records.tsv, told apart by the weights the
-- tsv gives them (title A, authors B, subjects C, annotation D), so that the
-- GIN index on tsv answers a title, author or subject search too.

CREATE AGGREGATE tsquery_or_agg(tsquery) (SFUNC = tsquery_or, STYPE = tsquery);

-- One lexeme as a tsquery limited to weights, a prefix when prefix.
CREATE FUNCTION find_lexeme(l text, weights text, prefix bool) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT to_tsquery('simple', '''' || replace(replace(l, '\', '\\'), '''', '''''') || ''':'
                      || CASE WHEN prefix THEN '*' ELSE '' END || weights)
$$;

-- Every word of q must match, as its Russian stem or as written, in the parts
-- named by weights; with prefix the last word is a prefix (right truncation).
-- Stop words ("и", "в") are dropped as search_tsquery (0004) drops them. NULL
-- when nothing is left (matches nothing).
CREATE FUNCTION find_tsquery(q text, weights text, prefix bool) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH w AS (SELECT w, n, max(n) OVER () AS last
               FROM regexp_split_to_table(lower(ru_fold(q)), '[^[:alnum:]]+')
                    WITH ORDINALITY AS t(w, n) WHERE w <> '')
    SELECT tsquery_and_agg(CASE
        WHEN prefix AND n = last THEN find_lexeme(w, weights, true)
        ELSE (SELECT tsquery_or_agg(find_lexeme(l, weights, false))
              FROM (SELECT unnest(tsvector_to_array(to_tsvector('russian', w)))
                    UNION SELECT unnest(tsvector_to_array(to_tsvector('simple', w)))) AS x(l))
        END ORDER BY n)
    FROM w
    WHERE (prefix AND n = last) OR numnode(plainto_tsquery('russian', w)) > 0
$$;

-- The holdings of a record per school, as the OPAC record of Z39.50 shows
-- them: copies held and copies available now (0003's rules).
CREATE FUNCTION find_holdings(rid uuid) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT coalesce(json_agg(json_build_object('school', s.school, 'held', s.held,
                                               'available', s.available,
                                               'location', s.location) ORDER BY s.school), '[]')
    FROM (SELECT i.school,
                 count(*) FILTER (WHERE i.status IN ('available', 'in_repair')) AS held,
                 count(*) FILTER (WHERE i.status = 'available' AND NOT i.on_loan) AS available,
                 min(i.location) AS location
          FROM items i WHERE i.record_id = rid GROUP BY i.school) s
    WHERE s.held > 0
$$;
