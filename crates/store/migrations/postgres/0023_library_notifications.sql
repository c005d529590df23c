-- Library notices (an item awaits review; it was returned, published or
-- withdrawn) name the item they are about, never its title: the pages show
-- the title only to a reader the one visibility rule lets read the item
-- when they look. They are addressed to one user (`user:<id>`), not to all
-- of a member's users.
ALTER TABLE notifications ADD COLUMN library_item_id BIGINT REFERENCES library_items(id);
