import { useEffect, useMemo, useState } from "react";
import {
  addAccountUser,
  getPerson,
  listAccounts,
  listAccountUsers,
  saveAccount,
  searchPeople,
} from "../api/traderx";
import { Banner, Progress } from "../components/Banner";
import { DataTable } from "../components/DataTable";
import type { Account, Person } from "../domain/types";
import { useAction, useLoad } from "../hooks";

/** The database column is VARCHAR(50) (contract 3.1). */
const MAX_ACCOUNT_NAME = 50;

function validateAccountName(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === "") return "Enter an account name.";
  if (trimmed.length > MAX_ACCOUNT_NAME) return `The name can have at most ${MAX_ACCOUNT_NAME} characters.`;
  return undefined;
}

/** Create (no `account`) or rename (with `account`) an account (F5). */
function AccountNameForm({ account, onSaved }: { account?: Account; onSaved: (saved: Account) => void }) {
  const [name, setName] = useState(account?.displayName ?? "");
  const [error, setError] = useState<string | undefined>();
  const action = useAction();
  useEffect(() => setName(account?.displayName ?? ""), [account]);
  const title = account ? `Rename account ${account.id}` : "Create account";
  return (
    <form
      className="inline-form"
      aria-label={title}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const problem = validateAccountName(name);
        setError(problem);
        if (problem) return;
        void action.run(async () => {
          const saved = await saveAccount(
            account ? { id: account.id, displayName: name.trim() } : { displayName: name.trim() },
          );
          onSaved(saved);
          if (!account) setName("");
          return account
            ? `Account ${saved.id} renamed to "${saved.displayName}".`
            : `Account ${saved.id} "${saved.displayName}" created.`;
        });
      }}
    >
      <h3>{title}</h3>
      <label>
        Account name
        <input
          type="text"
          autoComplete="off"
          maxLength={MAX_ACCOUNT_NAME + 10}
          value={name}
          aria-invalid={!!error || undefined}
          onChange={(event) => setName(event.target.value)}
        />
      </label>
      <button type="submit" className="primary" disabled={action.busy}>
        {account ? "Save name" : "Create account"}
      </button>
      {action.busy && <Progress label="Saving…" />}
      {error && <p className="field-error">{error}</p>}
      <Banner result={action.result} onClose={action.clear} />
    </form>
  );
}

interface AccountUserRow {
  username: string;
  fullName: string;
}

/** F6: the account's users with their full names, and assigning a user found through the people search. */
function AccountUsers({ account }: { account: Account }) {
  const users = useLoad(async (): Promise<AccountUserRow[]> => {
    const mapped = (await listAccountUsers()).filter((user) => user.accountId === account.id);
    return Promise.all(
      mapped.map(async ({ username }) => ({
        username,
        fullName: await getPerson(username).then(
          (person) => person.fullName,
          () => "(not in the people directory)",
        ),
      })),
    );
  }, [account.id]);
  const [search, setSearch] = useState("");
  const [searchError, setSearchError] = useState<string | undefined>();
  const [matches, setMatches] = useState<Person[]>([]);
  const [searching, setSearching] = useState(false);
  const assign = useAction();

  useEffect(() => {
    setMatches([]);
    setSearchError(undefined);
    const text = search.trim();
    if (text.length === 0) return;
    if (text.length < 3) {
      setSearchError("Type at least 3 characters to search.");
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      setSearching(true);
      searchPeople(text)
        .then(
          (people) => current && setMatches(people),
          (error: unknown) =>
            current && setSearchError(error instanceof Error ? error.message : String(error)),
        )
        .finally(() => current && setSearching(false));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [search]);

  return (
    <section className="panel" aria-label="Account users">
      <h2>
        Users of {account.displayName} ({account.id}) {users.loading && <Progress label="Loading users…" />}
      </h2>
      {users.error && <Banner result={{ kind: "error", text: users.error }} />}
      <DataTable
        caption="Account users"
        testId="account-users"
        columns={[
          { header: "USERNAME", cell: (row: AccountUserRow) => row.username },
          { header: "FULL NAME", cell: (row: AccountUserRow) => row.fullName },
        ]}
        rows={users.data ?? []}
        rowKey={(row) => row.username}
        empty="No users are assigned to this account."
      />
      <h3>Assign a user</h3>
      <label>
        Search people
        <input
          type="search"
          autoComplete="off"
          placeholder="Name or logon id (3+ characters)"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </label>
      {searching && <Progress label="Searching…" />}
      {searchError && <p className="field-error">{searchError}</p>}
      {matches.length > 0 && (
        <ul className="people-results" aria-label="People found">
          {matches.map((person) => (
            <li key={person.logonId}>
              <span>
                {person.fullName} ({person.logonId}) · {person.department}
              </span>
              <button
                type="button"
                className="small"
                disabled={assign.busy}
                onClick={() =>
                  void assign
                    .run(async () => {
                      await addAccountUser({ accountId: account.id, username: person.logonId });
                      return `${person.fullName} (${person.logonId}) can now use account ${account.id}.`;
                    })
                    .then((done) => done && users.reload())
                }
              >
                Assign
              </button>
            </li>
          ))}
        </ul>
      )}
      {assign.busy && <Progress label="Assigning…" />}
      <Banner result={assign.result} onClose={assign.clear} />
    </section>
  );
}

export function AccountPage() {
  const accounts = useLoad(listAccounts, []);
  const [selectedId, setSelectedId] = useState<number | undefined>();
  const [renaming, setRenaming] = useState<Account | undefined>();
  const rows = useMemo(() => (accounts.data ?? []).slice().sort((a, b) => a.id - b.id), [accounts.data]);
  const selected = rows.find((account) => account.id === selectedId);
  return (
    <div className="account-page">
      <section className="panel" aria-label="Accounts">
        <h2>Accounts {accounts.loading && <Progress label="Loading accounts…" />}</h2>
        {accounts.error && <Banner result={{ kind: "error", text: accounts.error }} />}
        <DataTable
          caption="Accounts"
          testId="accounts"
          columns={[
            { header: "ID", cell: (a: Account) => String(a.id), numeric: true },
            { header: "NAME", cell: (a: Account) => a.displayName },
            {
              header: "ACTIONS",
              cell: (a: Account) => (
                <>
                  <button type="button" className="small" onClick={() => setSelectedId(a.id)}>
                    Users
                  </button>{" "}
                  <button
                    type="button"
                    className="small"
                    onClick={(event) => {
                      event.stopPropagation();
                      setRenaming(a);
                    }}
                  >
                    Rename
                  </button>
                </>
              ),
            },
          ]}
          rows={rows}
          rowKey={(a) => String(a.id)}
          empty="No accounts."
        />
        <div className="forms">
          <AccountNameForm
            onSaved={(saved) => {
              accounts.reload();
              setSelectedId(saved.id);
            }}
          />
          {renaming && (
            <AccountNameForm
              account={renaming}
              onSaved={(saved) => {
                accounts.reload();
                setRenaming(saved);
              }}
            />
          )}
        </div>
      </section>
      {selected ? (
        <AccountUsers key={selected.id} account={selected} />
      ) : (
        <p className="note">Choose “Users” on an account to see and assign its users.</p>
      )}
    </div>
  );
}
