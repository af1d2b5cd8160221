/**
 * The versioned schema of TraderX (contract section 3). A version, once released, never changes: a new
 * change is a new version appended here. Each version runs once, in its own transaction.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const initialSchema = `
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  displayname VARCHAR(50)
);

CREATE TABLE accountusers (
  accountid INTEGER NOT NULL REFERENCES accounts (id),
  username VARCHAR(15) NOT NULL,
  PRIMARY KEY (accountid, username)
);

CREATE TABLE positions (
  accountid INTEGER NOT NULL REFERENCES accounts (id),
  security VARCHAR(15) NOT NULL,
  updated TIMESTAMP,
  quantity INTEGER,
  averagecostbasis DECIMAL(18, 3),
  PRIMARY KEY (accountid, security)
);

CREATE TABLE trades (
  id VARCHAR(50) PRIMARY KEY,
  accountid INTEGER REFERENCES accounts (id),
  created TIMESTAMP,
  updated TIMESTAMP,
  security VARCHAR(15),
  side VARCHAR(10) CHECK (side IN ('Buy', 'Sell')),
  quantity INTEGER CHECK (quantity > 0),
  price DECIMAL(18, 3),
  state VARCHAR(20) CHECK (state IN ('New', 'Processing', 'Settled', 'Cancelled'))
);
CREATE INDEX trades_account_updated ON trades (accountid, updated DESC);

CREATE SEQUENCE accounts_seq START WITH 65000 INCREMENT BY 1;

CREATE TABLE orderbook (
  orderid VARCHAR(32) PRIMARY KEY,
  accountid INTEGER NOT NULL,
  security VARCHAR(16) NOT NULL,
  side VARCHAR(16) CHECK (side IN ('Buy', 'Sell')),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  remainingquantity INTEGER NOT NULL CHECK (remainingquantity >= 0),
  limitprice DECIMAL(18, 3) NOT NULL,
  status VARCHAR(24) CHECK (status IN ('NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED')),
  createdat TIMESTAMP NOT NULL,
  updatedat TIMESTAMP NOT NULL,
  lastexecutionprice DECIMAL(18, 3),
  lastfillquantity INTEGER
);
CREATE INDEX orderbook_status ON orderbook (status);
CREATE INDEX orderbook_updatedat ON orderbook (updatedat);

-- Which /trades stream messages the trade-processor has booked, so a redelivered message is not
-- booked twice. Written in the same transaction as the trade.
CREATE TABLE booked_trade_messages (
  messageid VARCHAR(128) PRIMARY KEY,
  tradeid VARCHAR(50) NOT NULL REFERENCES trades (id),
  booked TIMESTAMP NOT NULL
);
`;

const seedData = `
INSERT INTO accounts (id, displayname) VALUES
  (10031, 'Internal Trading Book'),
  (11413, 'Private Clients Fund TTXX'),
  (22214, 'Test Account 20'),
  (42422, 'Algo Execution Partners'),
  (44044, 'Trading Account 1'),
  (52355, 'Big Corporate Fund'),
  (62654, 'Hedge Fund TXY1');

INSERT INTO accountusers (accountid, username) VALUES
  (10031, 'user01'), (10031, 'user03'), (10031, 'user09'),
  (22214, 'user01'), (22214, 'user03'), (22214, 'user05'), (22214, 'user07'), (22214, 'user09'),
  (44044, 'user01'), (44044, 'user04'), (44044, 'user05'), (44044, 'user06'), (44044, 'user07'),
  (44044, 'user09'),
  (62654, 'user01'), (62654, 'user05'), (62654, 'user07'), (62654, 'user09');

INSERT INTO trades (id, accountid, created, updated, security, side, quantity, price, state) VALUES
  ('TRADE-22214-AABBCC', 22214, now(), now(), 'IBM', 'Sell', 100, 136.250, 'Settled'),
  ('TRADE-22214-DDEEFF', 22214, now(), now(), 'MS', 'Buy', 1000, 95.125, 'Settled'),
  ('TRADE-22214-GGHHII', 22214, now(), now(), 'C', 'Sell', 2000, 57.500, 'Settled'),
  ('TRADE-52355-AABBCC', 52355, now(), now(), 'BAC', 'Sell', 2400, 41.125, 'Settled');

INSERT INTO positions (accountid, security, updated, quantity, averagecostbasis) VALUES
  (22214, 'IBM', now(), -100, 136.250),
  (22214, 'MS', now(), 1000, 95.125),
  (22214, 'C', now(), -2000, 57.500),
  (52355, 'BAC', now(), -2400, 41.125);
`;

export const migrations: readonly Migration[] = [
  { version: 1, name: "initial schema", sql: initialSchema },
  { version: 2, name: "seed data", sql: seedData },
];

/**
 * What each service role may do: the tables it owns (writes) or reads, nothing else. A role not listed
 * here can connect but touch no table.
 */
export const roleGrants: Readonly<Record<string, readonly string[]>> = {
  account_service: [
    "GRANT SELECT, INSERT, UPDATE ON accounts, accountusers TO {role}",
    "GRANT USAGE, SELECT ON SEQUENCE accounts_seq TO {role}",
  ],
  position_service: ["GRANT SELECT ON trades, positions TO {role}"],
  trade_processor: [
    "GRANT SELECT, INSERT, UPDATE ON trades, positions TO {role}",
    "GRANT SELECT, INSERT, DELETE ON booked_trade_messages TO {role}",
  ],
  order_matcher: ["GRANT SELECT, INSERT, UPDATE, DELETE ON orderbook TO {role}"],
  // The postgres exporter: without pg_monitor, pg_stat_activity hides the state of other roles' sessions,
  // so connections per state would count only its own. It reads no table.
  metrics_reader: ["GRANT pg_monitor TO {role}"],
};
