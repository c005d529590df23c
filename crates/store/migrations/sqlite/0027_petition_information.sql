-- The ombudsperson may ask the petitioner for more information; the
-- question is shown on the public status page (to whoever holds the
-- tracking number), and the petitioner's dated replies are kept apart from
-- the grounds they first sent.
ALTER TABLE delisting_petitions ADD COLUMN information_request TEXT;
ALTER TABLE delisting_petitions ADD COLUMN petitioner_replies TEXT NOT NULL DEFAULT '';
