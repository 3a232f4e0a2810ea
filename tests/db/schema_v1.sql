-- A trial database as tandem with schema version 1 wrote it: the frozen version-1 DDL followed
-- by a finished trial (values, learning curve, strategy state) and a running one. The migration
-- test builds a file from this and opens it with the current tandem.
CREATE TABLE experiments (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  config_text TEXT    NOT NULL,
  seed        INTEGER NOT NULL,
  status      TEXT    NOT NULL,
  created     TEXT    NOT NULL
);

CREATE TABLE trials (
  id            INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  number        INTEGER NOT NULL CHECK (number >= 0),
  state         TEXT    NOT NULL
                CHECK (state IN ('RUNNING', 'COMPLETE', 'PRUNED', 'FAILED', 'INFEASIBLE')),
  space         TEXT    NOT NULL,
  candidate     TEXT    NOT NULL,
  accelerator   TEXT    NOT NULL DEFAULT '',
  reason        TEXT    NOT NULL DEFAULT '',
  worker        TEXT    NOT NULL DEFAULT '',
  started       TEXT    NOT NULL,
  finished      TEXT,
  UNIQUE (experiment_id, number),
  CHECK ((state = 'RUNNING') = (finished IS NULL))
);
CREATE INDEX trials_by_experiment_state ON trials (experiment_id, state);

CREATE TABLE trial_values (
  trial_id   INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  name       TEXT    NOT NULL,
  value      REAL,
  value_kind TEXT    NOT NULL CHECK (value_kind IN ('finite', 'nan', 'inf', '-inf')),
  PRIMARY KEY (trial_id, name),
  CHECK ((value_kind = 'finite') = (value IS NOT NULL))
);
CREATE INDEX trial_values_by_name ON trial_values (name, value);

CREATE TABLE intermediate_values (
  trial_id   INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  step       INTEGER NOT NULL,
  name       TEXT    NOT NULL,
  value      REAL,
  value_kind TEXT    NOT NULL CHECK (value_kind IN ('finite', 'nan', 'inf', '-inf')),
  PRIMARY KEY (trial_id, step, name),
  CHECK ((value_kind = 'finite') = (value IS NOT NULL))
);

CREATE TABLE strategy_states (
  id       INTEGER PRIMARY KEY,
  trial_id INTEGER NOT NULL UNIQUE REFERENCES trials(id) ON DELETE CASCADE,
  state    BLOB    NOT NULL
);

CREATE TRIGGER trials_finished_are_immutable
BEFORE UPDATE ON trials WHEN OLD.state <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;

CREATE TRIGGER trial_values_insert_only_while_running
BEFORE INSERT ON trial_values
WHEN (SELECT state FROM trials WHERE id = NEW.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER trial_values_update_only_while_running
BEFORE UPDATE ON trial_values
WHEN (SELECT state FROM trials WHERE id = OLD.trial_id) <> 'RUNNING'
  OR (SELECT state FROM trials WHERE id = NEW.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER trial_values_delete_only_while_running
BEFORE DELETE ON trial_values
WHEN (SELECT state FROM trials WHERE id = OLD.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;

CREATE TRIGGER intermediate_values_insert_only_while_running
BEFORE INSERT ON intermediate_values
WHEN (SELECT state FROM trials WHERE id = NEW.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER intermediate_values_update_only_while_running
BEFORE UPDATE ON intermediate_values
WHEN (SELECT state FROM trials WHERE id = OLD.trial_id) <> 'RUNNING'
  OR (SELECT state FROM trials WHERE id = NEW.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER intermediate_values_delete_only_while_running
BEFORE DELETE ON intermediate_values
WHEN (SELECT state FROM trials WHERE id = OLD.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;

CREATE TRIGGER strategy_states_insert_only_while_running
BEFORE INSERT ON strategy_states
WHEN (SELECT state FROM trials WHERE id = NEW.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER strategy_states_update_is_forbidden
BEFORE UPDATE ON strategy_states
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TRIGGER strategy_states_delete_only_while_running
BEFORE DELETE ON strategy_states
WHEN (SELECT state FROM trials WHERE id = OLD.trial_id) <> 'RUNNING'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;

-- Data as tandem 0.1 (schema version 1) wrote it.
INSERT INTO experiments VALUES (1, 'old-run', 'search: random
seed: 7
', 7, 'interrupted', '2024-01-02T03:04:05.006Z');
INSERT INTO trials (id, experiment_id, number, state, space, candidate, accelerator, reason, worker, started)
  VALUES (1, 1, 0, 'RUNNING', 'nb201', '|conv3x3~0|', 'pe=8', '', 'host:1', '2024-01-02T03:04:06.000Z');
INSERT INTO trial_values VALUES (1, 'accuracy', 0.875, 'finite');
INSERT INTO trial_values VALUES (1, 'loss', NULL, 'nan');
INSERT INTO trial_values VALUES (1, 'latency_ms', NULL, 'inf');
INSERT INTO intermediate_values VALUES (1, 0, 'accuracy', 0.5, 'finite');
INSERT INTO intermediate_values VALUES (1, 1, 'accuracy', 0.75, 'finite');
INSERT INTO strategy_states (trial_id, state) VALUES (1, 'population=[0]');
UPDATE trials SET state = 'COMPLETE', finished = '2024-01-02T03:04:08.500Z' WHERE id = 1;
INSERT INTO trials (id, experiment_id, number, state, space, candidate, started)
  VALUES (2, 1, 1, 'RUNNING', 'nb201', '|skip~0|', '2024-01-02T03:04:09.000Z');
PRAGMA user_version = 1;
