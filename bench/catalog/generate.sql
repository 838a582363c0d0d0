-- A generated union catalog for the benchmark: :records plausible Russian
-- bibliographic records and about 10 items each over :schools schools, built
-- inside PostgreSQL with generate_series. Run by bench/catalog/run (psql -v
-- records=1000000 -v schools=500 -f generate.sql) on a stack whose catalog
-- schema is migrated. Record n has the id md5('bench-record-' || n)::uuid, so
-- the load drivers can name records without reading them first.
--
-- Titles mix a real vocabulary (about 270 words, drawn with a skew, so a few
-- words are frequent as in a real catalog) with pseudo-words made of
-- syllables (about 27,000, rare: a proper name, a term); authors come from
-- 120 surnames, subjects from 48 headings, 30% of records have an annotation.
\set ON_ERROR_STOP on
SET search_path = catalog, public;
SET synchronous_commit = off;
SET maintenance_work_mem = '1GB';
SET work_mem = '256MB';

CREATE TEMP TABLE v_words AS SELECT string_to_array(
'история россия мир война победа сказка сказки рассказы повесть повести роман стихи стихотворения поэзия ' ||
'детство юность школа учитель ученик класс урок книга книги библиотека чтение литература русская русский ' ||
'народ народные природа животные птицы звери лес море река горы город деревня дом семья мать отец друг ' ||
'друзья дружба любовь жизнь судьба время век путешествие приключения тайна тайны загадки открытие наука ' ||
'техника космос звезды планета земля вселенная математика алгебра геометрия физика химия биология ' ||
'география информатика экономика право общество культура искусство музыка живопись театр кино спорт ' ||
'здоровье человек люди герои герой подвиг память родина отечество государство власть революция ' ||
'империя царь князь битва армия флот воины солдаты праздник праздники зима весна лето осень утро вечер ' ||
'ночь день солнце луна ветер дождь снег огонь вода хлеб сад цветы дерево деревья трава поле дорога путь ' ||
'мост корабль поезд самолет машина робот компьютер программа язык слово слова грамматика словарь ' ||
'энциклопедия справочник атлас карта пособие учебник практикум задачи упражнения тесты олимпиада ' ||
'экзамен подготовка методика воспитание развитие обучение образование проект проекты исследование ' ||
'опыт опыты эксперимент лаборатория мастер мастерская ремесло труд работа профессия профессии ' ||
'будущее прошлое настоящее новый новая новые старый старая большой большая малый маленький первый ' ||
'последний золотой серебряный белый черный красный зеленый синий веселый грустный добрый злой ' ||
'умный смелый честный великий великая тихий быстрый далекий близкий северный южный восточный ' ||
'западный сибирь москва петербург волга урал кавказ крым арктика океан остров пустыня степь тайга ' ||
'медведь волк лиса заяц кот собака конь лошадь рыба дракон рыцарь принцесса король королева волшебник ' ||
'волшебство чудо чудеса мечта мечты сон сны песня песни танец игра игры', ' ') AS w;

CREATE TEMP TABLE v_syll AS SELECT string_to_array(
'ба ве ги до ку ла ме ни по ру са те фу ха це ча ша ща ю я ро ло мо но то ко го зо со бо', ' ') AS s;

CREATE TEMP TABLE v_surnames AS SELECT string_to_array(
'Иванов Петров Сидоров Смирнов Кузнецов Попов Васильев Соколов Михайлов Новиков Федоров Морозов ' ||
'Волков Алексеев Лебедев Семенов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров ' ||
'Никитин Захаров Зайцев Соловьев Борисов Яковлев Григорьев Романов Воробьев Сергеев Кузьмин Фролов ' ||
'Александров Дмитриев Королев Гусев Киселев Ильин Максимов Поляков Сорокин Виноградов Ковалев ' ||
'Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов ' ||
'Осипов Сидоренко Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов ' ||
'Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов ' ||
'Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышев Быков Маслов Родионов Коновалов Лазарев ' ||
'Воронин Климов Филатов Пономарев Голубев Кудрявцев Прохоров Наумов Потапов Журавлев Овчинников ' ||
'Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачев Котов Гришин ' ||
'Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов', ' ') AS s;

CREATE TEMP TABLE v_subjects AS SELECT string_to_array(
'История России|Всемирная история|Великая Отечественная война|Русская литература|Зарубежная литература|' ||
'Детская литература|Поэзия|Сказки народов мира|Математика|Алгебра|Геометрия|Физика|Химия|Биология|' ||
'География|Информатика|Программирование|Экология|Астрономия|Космонавтика|Искусство|Музыка|' ||
'Изобразительное искусство|Театр|Кино|Спорт|Здоровый образ жизни|Психология|Педагогика|' ||
'Методика преподавания|Краеведение|Природа родного края|Животный мир|Растения|Техника|Роботы|' ||
'Путешествия|Приключения|Фантастика|Детективы|Энциклопедии|Словари|Русский язык|Английский язык|' ||
'Обществознание|Право|Экономика|Профориентация', '|') AS s;

CREATE TEMP TABLE v_school_subjects AS SELECT string_to_array(
'Математика|Русский язык|Литература|История|Обществознание|География|Биология|Физика|Химия|' ||
'Информатика|Английский язык|Окружающий мир|Технология|Музыка|ИЗО', '|') AS s;

-- a word of the real vocabulary, skewed toward the first ones
CREATE FUNCTION pg_temp.w() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT w[1 + floor(cardinality(w) * random() ^ 1.6)::int] FROM v_words
$$;
-- a rare pseudo-word of two or three syllables
CREATE FUNCTION pg_temp.pw() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT s[1 + floor(random() * 30)::int] || s[1 + floor(random() * 30)::int] ||
           CASE WHEN random() < 0.5 THEN s[1 + floor(random() * 30)::int] ELSE '' END
    FROM v_syll
$$;
CREATE FUNCTION pg_temp.author() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT s[1 + floor(random() * cardinality(s))::int] || ', ' ||
           substr('АБВГДЕЖЗИКЛМНОПРСТУФЭЮЯ', 1 + floor(random() * 23)::int, 1) || '. ' ||
           substr('АБВГДЕИКЛМНОПРСТФЮЯ', 1 + floor(random() * 19)::int, 1) || '.'
    FROM v_surnames
$$;
CREATE FUNCTION pg_temp.subject() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT s[1 + floor(random() * cardinality(s))::int] FROM v_subjects
$$;
CREATE FUNCTION pg_temp.isbn(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT d || ((10 - (SELECT sum(substr(d, i, 1)::int * CASE WHEN i % 2 = 0 THEN 3 ELSE 1 END)
                         FROM generate_series(1, 12) i) % 10) % 10)::text
    FROM (SELECT '9785' || lpad((n % 100000000)::text, 8, '0') AS d) x
$$;

-- bulk load without the search indexes and postings triggers; the indexes
-- and postings are built once afterwards
DROP INDEX IF EXISTS records_tsv, records_title_trgm, records_newest, records_isbn;
ALTER TABLE records DISABLE TRIGGER USER;

INSERT INTO records (id, type, title, subtitle, authors, publisher, place, year, isbn, language,
                     subjects, annotation, age_rating, pages, textbook_subject, grade_from,
                     grade_to, created_by_org, created_at, updated_at)
SELECT md5('bench-record-' || g)::uuid, t.type,
       initcap(pg_temp.w()) || ' ' || pg_temp.pw() ||
           CASE WHEN random() < 0.6 THEN ' ' || pg_temp.w() ELSE '' END ||
           CASE WHEN random() < 0.3 THEN ' ' || pg_temp.pw() ELSE '' END,
       CASE WHEN random() < 0.2 THEN pg_temp.w() || ' ' || pg_temp.w() END,
       CASE WHEN random() < 0.3 THEN ARRAY[pg_temp.author(), pg_temp.author()]
            WHEN random() < 0.9 THEN ARRAY[pg_temp.author()] ELSE '{}' END,
       (ARRAY['Просвещение', 'Дрофа', 'Эксмо', 'АСТ', 'Росмэн', 'Детская литература', 'Махаон',
              'Бином', 'Вентана-Граф', 'Наука'])[1 + floor(random() * 10)::int],
       (ARRAY['Москва', 'Санкт-Петербург', 'Казань', 'Новосибирск', 'Екатеринбург'])[1 + floor(random() * 5)::int],
       2025 - floor(75 * random() ^ 2)::int,
       CASE WHEN random() < 0.6 THEN pg_temp.isbn(g) END,
       CASE WHEN random() < 0.9 THEN 'rus' ELSE (ARRAY['eng', 'tat', 'bak', 'deu', 'fra'])[1 + floor(random() * 5)::int] END,
       CASE WHEN random() < 0.5 THEN ARRAY[pg_temp.subject()]
            WHEN random() < 0.8 THEN ARRAY[pg_temp.subject(), pg_temp.subject()] ELSE '{}' END,
       CASE WHEN random() < 0.3 THEN 'Книга о том, как ' || pg_temp.w() || ' и ' || pg_temp.w() ||
            ' ' || pg_temp.pw() || ': ' || pg_temp.w() || ', ' || pg_temp.w() || ', ' ||
            pg_temp.pw() || '. Для ' || pg_temp.w() || ' и ' || pg_temp.w() || '.' END,
       (ARRAY['0+', '6+', '12+', '16+', '18+', NULL])[1 + floor(random() * 6)::int],
       50 + floor(random() * 500)::int,
       CASE WHEN t.type = 'textbook' THEN (SELECT s[1 + floor(random() * 15)::int] FROM v_school_subjects) END,
       CASE WHEN t.type = 'textbook' THEN t.grade END,
       CASE WHEN t.type = 'textbook' THEN least(11, t.grade + floor(random() * 2)::int) END,
       'bench', t.at, t.at
FROM generate_series(1, :records) g
CROSS JOIN LATERAL (
    SELECT CASE WHEN x < 0.60 THEN 'book' WHEN x < 0.80 THEN 'textbook'
                WHEN x < 0.87 THEN 'e-resource' WHEN x < 0.90 THEN 'multimedia'
                WHEN x < 0.95 THEN 'periodical' ELSE 'methodical' END AS type,
           1 + floor(random() * 11)::int AS grade,
           now() - random() * interval '3650 days' AS at
    FROM (SELECT random() + 0 * g AS x) r) t;

ALTER TABLE records ENABLE TRIGGER USER;
CREATE INDEX records_isbn ON records (isbn) WHERE isbn IS NOT NULL;
CREATE INDEX records_tsv ON records USING gin (tsv);
CREATE INDEX records_title_trgm ON records USING gin (ru_fold(title) gin_trgm_ops);
-- the vocabulary and suggestions (0014), whose triggers were off for the load
INSERT INTO search_words SELECT DISTINCT w FROM records r, record_words(r) w ON CONFLICT DO NOTHING;
INSERT INTO suggest_terms SELECT DISTINCT ON (t.kind, t.norm) t.*
    FROM records r, record_terms(r) t ORDER BY t.kind, t.norm, t.term ON CONFLICT DO NOTHING;
CREATE INDEX records_newest ON records (created_at DESC, id DESC);

-- items: 1 to 28 per record (about 10 on average), each in a random school;
-- 85% available (15% of those on loan), 5% in repair, 5% lost, 5% written off.
-- The holdings triggers are off for the load; record_holdings is built once.
ALTER TABLE items DISABLE TRIGGER USER;
DROP INDEX IF EXISTS items_record_school, items_school_id;
ALTER TABLE items DROP CONSTRAINT IF EXISTS items_school_inventory_number_key;
ALTER TABLE items DROP CONSTRAINT IF EXISTS items_barcode_key;
CREATE TEMP SEQUENCE bench_barcode;
INSERT INTO items (record_id, school, barcode, inventory_number, location, price, acquired_on,
                   source, status, on_loan, writeoff_act, writeoff_reason, written_off_at)
SELECT r.id, 'school-' || (1 + floor(random() * :schools)::int), 'BN' || lpad(k::text, 10, '0'),
       k::text, (ARRAY['Абонемент', 'Читальный зал', 'Фонд учебников', 'Хранение'])[1 + floor(random() * 4)::int],
       round((100 + random() * 900)::numeric, 2), current_date - floor(random() * 3650)::int,
       (ARRAY['purchase', 'gift', 'textbook_fund'])[1 + floor(random() * 3)::int],
       st.status, st.status = 'available' AND random() < 0.15,
       CASE WHEN st.status = 'written_off' THEN 'АКТ-' || (k % 1000) END,
       CASE WHEN st.status = 'written_off' THEN 'ветхость' END,
       CASE WHEN st.status = 'written_off' THEN now() END
FROM records r
CROSS JOIN LATERAL generate_series(1, 1 + floor(28 * random() ^ 2 + 0 * length(r.title))::int) n
CROSS JOIN LATERAL (SELECT nextval('bench_barcode') AS k,
                           CASE WHEN x < 0.85 THEN 'available' WHEN x < 0.90 THEN 'in_repair'
                                WHEN x < 0.95 THEN 'lost' ELSE 'written_off' END AS status
                    FROM (SELECT random() + 0 * n AS x) y) st
WHERE r.created_by_org = 'bench';

ALTER TABLE items ADD CONSTRAINT items_barcode_key UNIQUE (barcode);
ALTER TABLE items ADD CONSTRAINT items_school_inventory_number_key UNIQUE (school, inventory_number);
CREATE INDEX items_record_school ON items (record_id, school);
CREATE INDEX items_school_id ON items (school, id);
ALTER TABLE items ENABLE TRIGGER USER;

INSERT INTO record_holdings (record_id, schools, available_schools, held, available)
SELECT i.record_id,
       coalesce(array_agg(DISTINCT i.school ORDER BY i.school) FILTER (WHERE i.status IN ('available', 'in_repair')), '{}'),
       coalesce(array_agg(DISTINCT i.school ORDER BY i.school) FILTER (WHERE i.status = 'available' AND NOT i.on_loan), '{}'),
       count(*) FILTER (WHERE i.status IN ('available', 'in_repair')),
       count(*) FILTER (WHERE i.status = 'available' AND NOT i.on_loan)
FROM items i JOIN records r ON r.id = i.record_id AND r.created_by_org = 'bench'
GROUP BY i.record_id
ON CONFLICT (record_id) DO UPDATE SET schools = excluded.schools,
    available_schools = excluded.available_schools, held = excluded.held,
    available = excluded.available;

-- postings of the generated records (migration 0006), indexes built after
DROP INDEX IF EXISTS search_postings_walk;
ALTER TABLE search_postings DROP CONSTRAINT IF EXISTS search_postings_pkey;
-- the postings have no foreign key: a TRUNCATE of records before a new
-- generation leaves the old ones, which share the generated ids
DELETE FROM search_postings p WHERE NOT EXISTS
    (SELECT 1 FROM records r WHERE r.id = p.record_id AND r.created_by_org <> 'bench');
INSERT INTO search_postings
SELECT p.* FROM records r, record_postings(r) p WHERE r.created_by_org = 'bench';
ALTER TABLE search_postings ADD PRIMARY KEY (record_id, lexeme);
CREATE INDEX search_postings_walk ON search_postings (lexeme, rank, record_id)
    INCLUDE (type, year, language, places);

VACUUM ANALYZE search_postings;
VACUUM ANALYZE records;
VACUUM ANALYZE items;
VACUUM ANALYZE record_holdings;
SELECT (SELECT count(*) FROM records) AS records, (SELECT count(*) FROM items) AS items,
       (SELECT count(*) FROM search_postings) AS postings,
       pg_size_pretty(pg_database_size(current_database())) AS database_size;
