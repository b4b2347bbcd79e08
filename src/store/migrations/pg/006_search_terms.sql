-- 006_search_terms (PostgreSQL): an ordered index of the search terms.
-- A GIN index answers `tsv @@ query` with every matching row at once, in
-- no order: global search wants an entity's newest 10, and the planner
-- chose between reading every match (tens of thousands for a common name
-- prefix at 1M records) and walking the entity's rows newest first until
-- 10 match (every row when few do). search_terms holds for each lexeme
-- of a row its first 3 characters, or the whole of a shorter one, as
-- 'p3:zha' or 'p2:小明', keyed (term, rowid): the rows of one entity whose
-- words start so, newest first, are one backward index range, and the
-- query's full tsquery is checked on each row found until enough match
-- (store_search; a query whose words are all shorter prefixes uses the GIN
-- index as before). One term a lexeme keeps the table small, three
-- characters keep the rows read mostly matches, and a term is kept as its
-- 64-bit hash (half the size of the text; a collision only means a row
-- more to check). Triggers keep it in step with search_index.

CREATE TABLE search_terms (
	term BIGINT NOT NULL,
	rowid BIGINT NOT NULL,
	PRIMARY KEY (term, rowid)
);

-- A term's key: the hash of 'p<length>:<prefix>'.
CREATE FUNCTION rp_search_term(prefix text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT hashtextextended('p' || length(prefix) || ':' || prefix, 0)
$$;

-- The terms of a tsvector.
CREATE FUNCTION rp_search_terms(v tsvector) RETURNS SETOF bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT DISTINCT rp_search_term(left(w.lex, 3)) FROM unnest(tsvector_to_array(v)) AS w(lex)
$$;

-- New rows' terms by a statement-level trigger (a restore writes hundreds
-- of rows a statement); a changed or removed row's by a row-level one,
-- whose statements reach search_terms by its primary key (a join with a
-- transition table may be planned as a scan of the whole table).
CREATE FUNCTION rp_search_terms_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO search_terms (term, rowid)
	SELECT t, n.rowid FROM new_rows AS n, rp_search_terms(n.tsv) AS t;
	RETURN NULL;
END
$$;

CREATE FUNCTION rp_search_terms_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		DELETE FROM search_terms
		WHERE rowid = OLD.rowid AND term = ANY (ARRAY(SELECT rp_search_terms(OLD.tsv)));
	ELSIF OLD.tsv IS DISTINCT FROM NEW.tsv THEN
		DELETE FROM search_terms
		WHERE rowid = OLD.rowid AND term = ANY (ARRAY(
			SELECT rp_search_terms(OLD.tsv) EXCEPT SELECT rp_search_terms(NEW.tsv)));
		INSERT INTO search_terms (term, rowid)
		SELECT t, NEW.rowid
		FROM (SELECT rp_search_terms(NEW.tsv) EXCEPT SELECT rp_search_terms(OLD.tsv)) AS x(t);
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER search_terms_add AFTER INSERT ON search_index
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rp_search_terms_add();
CREATE TRIGGER search_terms_change AFTER UPDATE OR DELETE ON search_index
FOR EACH ROW EXECUTE FUNCTION rp_search_terms_change();

INSERT INTO search_terms (term, rowid)
SELECT t, s.rowid FROM search_index AS s, rp_search_terms(s.tsv) AS t;
