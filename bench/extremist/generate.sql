-- Records for the extremist-list matching benchmark: :records books (ids
-- md5('bench-ext-' || n)) with titles of 2 to 5 words from a vocabulary of
-- real words (drawn with a skew, as in a real catalog) and syllable
-- pseudo-words, and one or two authors "Surname I. O.". Only what matching
-- reads is realistic; the search triggers are skipped (session_replication_role)
-- and the title trigram index is built once at the end. Run by
-- bench/extremist/run (psql -v have=N -v records=M -f generate.sql) with the
-- admin DSN of a stack whose catalog schema is migrated.
\set ON_ERROR_STOP on
SET search_path = catalog, public;
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SET session_replication_role = replica;

CREATE TEMP TABLE v AS SELECT
  string_to_array('история россия мир война победа сказка рассказы повесть роман стихи поэзия детство ' ||
    'юность школа учитель ученик класс урок книга библиотека чтение литература русская народ природа ' ||
    'животные птицы звери лес море река горы город деревня дом семья мать отец друг дружба любовь жизнь ' ||
    'судьба время век путешествие приключения тайна загадки открытие наука техника космос звезды планета ' ||
    'земля математика физика химия биология география экономика право общество культура искусство музыка ' ||
    'театр кино спорт здоровье человек люди герои подвиг память родина государство власть революция ' ||
    'империя царь князь битва армия флот праздник зима весна лето осень утро вечер ночь день солнце луна ' ||
    'ветер дождь снег огонь вода хлеб сад цветы дерево поле дорога путь корабль поезд самолет робот ' ||
    'компьютер язык слово словарь энциклопедия справочник атлас пособие учебник задачи олимпиада экзамен ' ||
    'воспитание развитие обучение проект исследование опыт мастер ремесло труд работа будущее прошлое ' ||
    'новый старый большой малый первый последний золотой белый черный красный зеленый веселый добрый ' ||
    'умный смелый великий тихий быстрый далекий северный южный сибирь москва волга урал кавказ крым ' ||
    'океан остров степь тайга медведь волк лиса заяц кот собака конь рыба дракон рыцарь принцесса король ' ||
    'волшебник чудо мечта сон песня танец игра ёжик ёлка', ' ') AS words,
  string_to_array('ба ве ги до ку ла ме ни по ру са те фу ха це ча ша ю я ро ло мо но то ко го зо со бо', ' ') AS syll,
  string_to_array('Иванов Петров Сидоров Смирнов Кузнецов Попов Васильев Соколов Михайлов Новиков Федоров ' ||
    'Морозов Волков Алексеев Лебедев Семенов Егоров Павлов Козлов Степанов Николаев Орлов Андреев ' ||
    'Макаров Никитин Захаров Зайцев Соловьев Борисов Яковлев Григорьев Романов Воробьев Сергеев ' ||
    'Кузьмин Фролов Александров Дмитриев Королев Гусев Киселев Ильин Максимов Поляков Сорокин ' ||
    'Виноградов Ковалев Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев', ' ')
    AS surnames,
  string_to_array('А Б В Г Д Е Ж З И К Л М Н О П Р С Т', ' ') AS initials;

-- a word (skewed towards the first ones), a pseudo-word, an author
CREATE FUNCTION pg_temp.w() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT words[1 + floor(array_length(words, 1) * random() ^ 2)::int] FROM v $$;
CREATE FUNCTION pg_temp.pw() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT string_agg(syll[1 + floor(random() * array_length(syll, 1))::int], '')
    FROM v, generate_series(1, 2 + floor(random() * 3)::int) $$;
CREATE FUNCTION pg_temp.author() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT surnames[1 + floor(random() * array_length(surnames, 1))::int] || ' ' ||
           initials[1 + floor(random() * 18)::int] || '. ' || initials[1 + floor(random() * 18)::int] || '.'
    FROM v $$;

DROP INDEX IF EXISTS records_match_title_trgm;
INSERT INTO records (id, type, title, authors, year, created_by_org)
SELECT md5('bench-ext-' || g)::uuid, 'book',
       initcap(pg_temp.w()) || ' ' || pg_temp.pw() ||
           CASE WHEN random() < 0.7 THEN ' ' || pg_temp.w() ELSE '' END ||
           CASE WHEN random() < 0.4 THEN ' ' || pg_temp.pw() ELSE '' END ||
           CASE WHEN random() < 0.3 THEN ' ' || pg_temp.w() ELSE '' END,
       CASE WHEN random() < 0.3 THEN ARRAY[pg_temp.author(), pg_temp.author()]
            WHEN random() < 0.9 THEN ARRAY[pg_temp.author()] ELSE '{}' END,
       2025 - floor(75 * random() ^ 2)::int, 'bench-ext'
FROM generate_series(:have + 1, :records) g;
CREATE INDEX records_match_title_trgm ON records USING gin (title_norm(title) gin_trgm_ops);
ANALYZE records;
