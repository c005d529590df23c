-- Read state per user: a member's notifications go to all of its users,
-- and one of them reading them must leave them unread for the others.
CREATE TABLE notification_reads (
    notification_id BIGINT NOT NULL REFERENCES notifications(id),
    user_id         BIGINT NOT NULL REFERENCES users(id),
    read_at         BIGINT NOT NULL,
    PRIMARY KEY (notification_id, user_id)
);

-- Who read a notification before was not recorded: what was read stays
-- read for every user of its recipient, as all of them saw it.
INSERT INTO notification_reads (notification_id, user_id, read_at)
SELECT n.id, u.id, n.read_at
FROM notifications n
JOIN users u ON (n.recipient = 'secretariat' AND u.role = 'secretariat_admin')
    OR (n.recipient = 'ombudsperson' AND u.role = 'ombudsperson')
    OR u.member_id = (SELECT m.id FROM members m WHERE m.code = n.recipient)
WHERE n.read_at IS NOT NULL;

ALTER TABLE notifications DROP COLUMN read_at;
