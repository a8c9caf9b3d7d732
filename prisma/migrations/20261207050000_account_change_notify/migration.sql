-- Api processes keep each account's role and disabled flag in memory (the credential check of
-- every request reads them); a change to either, or the account's deletion, tells every process
-- listening on `dialoop_account` at commit, with the account's id.
CREATE FUNCTION dialoop_account_changed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('dialoop_account', OLD."id"::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "User_account_changed" AFTER UPDATE OF "role", "disabled" OR DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION dialoop_account_changed();
