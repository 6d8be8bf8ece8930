-- Loads cost what their rows cost, not what the history holds.
--
-- member_change is written in ledger order (its key is (load_id, member_id)), but its index by
-- member put every load's entries between those of every earlier load: a monthly load touched
-- nearly every page of that index, which grew by a month's members each month. Nothing reads
-- through it: incremental decides collect the changes since a load with one range scan of the
-- key (HistoryReader.collectChangedMembers).
DROP INDEX member_change_by_member;
