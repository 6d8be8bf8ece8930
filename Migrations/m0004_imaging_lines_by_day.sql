-- The imaging-line index keyed by category, then service day, then member (was category, member,
-- day). A month's lines are mostly recent, so they now land at the end of each category's range;
-- keyed by member, they landed on nearly every page of the index in every load, so a load's cost
-- grew with the history (measured: about 2,400 of 2,639 leaf pages rewritten by month 36 of a
-- 200,000-member book). Every reader of the index still finds what it filters on in it: the
-- category, the day range of a scope or timeline, and the member and day an incremental decide
-- tests (`temp.changed_member`).
DROP INDEX line_category_by_category;
CREATE INDEX line_category_by_day ON line_category(category, service_day, member_id);
