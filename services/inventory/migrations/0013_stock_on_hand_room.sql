-- Room on each page of stock_on_hand for a line's next version (issue 17). Every posting
-- rewrites the quantity of the lines it moves; with full pages each new version went to
-- another page and into both indexes, with room it stays on its page and the indexes are
-- left alone (a heap-only update), and the versions it replaces are pruned as pages fill.
-- Applies to pages written from now on; a VACUUM FULL gives existing pages the room too.
alter table stock_on_hand set (fillfactor = 70);
