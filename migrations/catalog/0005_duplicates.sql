-- Near-duplicate detection: a title reduced to lower-case words, and the
-- surname of the first author ("Пушкин, А. С.", "Пушкин А.С." -> "пушкин").
CREATE FUNCTION norm_title(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT btrim(regexp_replace(lower(translate(t, 'Ёё', 'Ее')), '[^[:alnum:]]+', ' ', 'g'))
$$;

CREATE FUNCTION author_key(a text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(lower(translate(substring(
        regexp_replace(coalesce(a[1], ''), '\m[[:alpha:]]{1,2}\.', ' ', 'g')
        FROM '[[:alnum:]-]+'), 'Ёё', 'Ее')), '')
$$;
