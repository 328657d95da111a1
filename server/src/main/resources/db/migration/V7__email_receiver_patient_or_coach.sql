-- An email's receiver is a patient or a coach: one nullable foreign key per type, exactly one of them set, so
-- that referential integrity and cascades stay real for both. Every receiver stored so far is a patient.
alter table email_history add column receiver_patient_id char(24) references patient (id) on delete cascade;
alter table email_history add column receiver_coach_id char(24) references coach (id) on delete cascade;
update email_history set receiver_patient_id = receiver_id;
drop index email_history_receiver;
alter table email_history drop column receiver_id;
alter table email_history add constraint email_history_one_receiver
    check (num_nonnulls(receiver_patient_id, receiver_coach_id) = 1);
create index email_history_receiver_patient on email_history (receiver_patient_id, send_time, id)
    where receiver_patient_id is not null;
create index email_history_receiver_coach on email_history (receiver_coach_id, send_time, id)
    where receiver_coach_id is not null;
