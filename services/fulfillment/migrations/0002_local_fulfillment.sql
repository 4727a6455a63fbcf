-- The supplier fulfils the program itself: a requisition approved at the node is released to
-- it at once (issue 13, "automatically when the supplier fulfils the program locally").
alter table supply_lines add column local_fulfillment boolean not null default false;
