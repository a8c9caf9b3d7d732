-- Api processes keep each account's role and disabled flag in memory (the credential check of
-- every request reads them); a change to either, or the account's deletion, tells every process
-- listening on `dialoop_account` at commit, with the account's id; emptying the table, with `*`.
CREATE FUNCTION dialoop_account_changed() RETURNS trigger AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('dialoop_account', '*');
  ELSE
    PERFORM pg_notify('dialoop_account', OLD."id"::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Only a change of what the credential check reads (a sign-in through OIDC sets the role again).
CREATE TRIGGER "User_account_changed" AFTER UPDATE OF "role", "disabled" ON "User"
  FOR EACH ROW WHEN (OLD."role" IS DISTINCT FROM NEW."role" OR OLD."disabled" IS DISTINCT FROM NEW."disabled")
  EXECUTE FUNCTION dialoop_account_changed();
CREATE TRIGGER "User_account_deleted" AFTER DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION dialoop_account_changed();
CREATE TRIGGER "User_accounts_truncated" AFTER TRUNCATE ON "User"
  FOR EACH STATEMENT EXECUTE FUNCTION dialoop_account_changed();
