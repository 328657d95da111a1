package dev.openplus.reward;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Record2;
import org.jooq.impl.DSL;

import dev.openplus.jsonapi.Relationship;
import dev.openplus.jsonapi.WriteBatch;
import dev.openplus.jsonapi.WriteItem;
import dev.openplus.jsonapi.WriteRules;
import dev.openplus.patient.PatientResource;

/**
 * Activations: one per patient and program, for a patient of the program's group, within the program's dates,
 * never for a frozen program. The program's row is locked for the transaction, so that concurrent second
 * activations serialize on it and the later one finds the first (409) instead of racing it. A PATCH may only
 * set {@code deactivated_at}, once; it makes the activation's earnings ready for fulfillment.
 */
final class RewardProgramActivationRules implements WriteRules {
    private static final BigDecimal MILLIS_PER_DAY = BigDecimal.valueOf(86_400_000L);

    @Override
    public void beforeWrite(WriteBatch batch) {
        if (batch.mode() == WriteBatch.Mode.CREATE) {
            beforeCreate(batch);
        } else {
            batch.items().forEach(item -> beforeUpdate(batch.dsl(), item));
        }
    }

    private static void beforeCreate(WriteBatch batch) {
        DSLContext dsl = batch.dsl();
        Set<String> programIds = new TreeSet<>();
        Set<String> patientIds = new TreeSet<>();
        for (WriteItem item : batch.items()) {
            programIds.add(item.linkedId(RewardProgramActivationResource.PROGRAM));
            patientIds.add(item.linkedId(RewardProgramActivationResource.PATIENT));
        }
        Map<String, Record> programs = new HashMap<>();
        dsl.select(RewardProgramResource.ID, RewardProgramResource.GROUP_ID, RewardProgramResource.START_AT,
                        RewardProgramResource.END_AT, RewardProgramResource.FROZEN, RewardProgramResource.FULFILL_AS_EARNED,
                        RewardProgramResource.BUDGET_UNIT, RewardProgramResource.BUDGET_VALUE,
                        RewardProgramResource.DURATION_ACTIVE)
                .from(RewardProgramResource.TYPE.table()).where(RewardProgramResource.ID.in(programIds))
                .orderBy(RewardProgramResource.ID).forNoKeyUpdate()
                .forEach(program -> programs.put(program.get(RewardProgramResource.ID), program));
        Set<String> memberships = new HashSet<>();
        dsl.select(PatientResource.MEMBER_PATIENT, PatientResource.MEMBER_GROUP).from(PatientResource.MEMBER)
                .where(PatientResource.MEMBER_PATIENT.in(patientIds))
                .forEach(member -> memberships.add(member.value1() + "/" + member.value2()));
        // Read after the program locks are held: a concurrent activation of the same pair has committed by now.
        Set<String> existing = new HashSet<>();
        for (Record2<String, String> activation : dsl.select(RewardProgramActivationResource.PROGRAM_ID,
                        RewardProgramActivationResource.PATIENT_ID)
                .from(RewardProgramActivationResource.TABLE)
                .where(RewardProgramActivationResource.PROGRAM_ID.in(programIds))
                .and(RewardProgramActivationResource.PATIENT_ID.in(patientIds)).fetch()) {
            existing.add(activation.value1() + "/" + activation.value2());
        }
        for (WriteItem item : batch.items()) {
            Record program = programs.get(item.linkedId(RewardProgramActivationResource.PROGRAM));
            String patientId = item.linkedId(RewardProgramActivationResource.PATIENT);
            String pair = program.get(RewardProgramResource.ID) + "/" + patientId;
            String programPointer = "/relationships/reward_program/data/id";
            if (!existing.add(pair)) {
                item.problem(programPointer, "the reward program is already activated for this patient");
            }
            if (program.get(RewardProgramResource.FROZEN)) {
                item.problem(programPointer, "the reward program is frozen and cannot be activated");
            }
            if (!memberships.contains(patientId + "/" + program.get(RewardProgramResource.GROUP_ID))) {
                item.problem("/relationships/patient/data/id", "the patient is not a member of the reward program's group");
            }
            OffsetDateTime activatedAt = (OffsetDateTime) item.value("activated_at");
            if (activatedAt.isBefore(program.get(RewardProgramResource.START_AT))
                    || !activatedAt.isBefore(program.get(RewardProgramResource.END_AT))) {
                item.problem("/attributes/activated_at",
                        "activated_at must lie within the reward program's dates (from start_at, before end_at)");
            }
            checkDeactivation(item, activatedAt);
            long millis = program.get(RewardProgramResource.DURATION_ACTIVE).multiply(MILLIS_PER_DAY)
                    .setScale(0, RoundingMode.HALF_UP).longValueExact();
            item.set(RewardProgramActivationResource.EXPIRES_AT, activatedAt.plus(Duration.ofMillis(millis)));
            item.set(RewardProgramActivationResource.GROUP_ID, program.get(RewardProgramResource.GROUP_ID));
            item.set(RewardProgramActivationResource.FULFILL_AS_EARNED, program.get(RewardProgramResource.FULFILL_AS_EARNED));
            item.set(RewardProgramActivationResource.BUDGET_UNIT, program.get(RewardProgramResource.BUDGET_UNIT));
            item.set(RewardProgramActivationResource.BUDGET_VALUE, program.get(RewardProgramResource.BUDGET_VALUE));
        }
    }

    /** The engine holds the activation's row lock; relationships stay, deactivated_at is set once. */
    private static void beforeUpdate(DSLContext dsl, WriteItem item) {
        for (Relationship relationship : List.of(RewardProgramActivationResource.PATIENT,
                RewardProgramActivationResource.PROGRAM)) {
            if (!java.util.Objects.equals(item.linkedId(relationship), item.storedLink(relationship.name()))) {
                item.problem("/relationships/" + relationship.name() + "/data/id",
                        relationship.name() + " cannot be changed after creation");
            }
        }
        if (!item.has("deactivated_at")) {
            return;
        }
        OffsetDateTime stored = (OffsetDateTime) item.stored("deactivated_at");
        OffsetDateTime given = (OffsetDateTime) item.value("deactivated_at");
        if (stored != null && !stored.isEqual(given)) {
            item.problem("/attributes/deactivated_at", "deactivated_at cannot be changed once it is set");
            return;
        }
        if (!checkDeactivation(item, (OffsetDateTime) item.value("activated_at"))) {
            return;
        }
        Record latest = dsl.select(DSL.max(RewardResource.ALLOCATED_AT), DSL.max(RewardResource.EARNED_AT))
                .from(RewardResource.TYPE.table()).where(RewardResource.ACTIVATION_ID.eq(item.id())).fetchOne();
        for (int i = 0; i < 2; i++) {
            OffsetDateTime at = (OffsetDateTime) latest.get(i);
            if (at != null && !given.isAfter(at)) {
                item.problem("/attributes/deactivated_at", "deactivated_at must be after every reward's "
                        + (i == 0 ? "allocated_at" : "earned_at") + " (" + at.toInstant() + ")");
                return;
            }
        }
    }

    private static boolean checkDeactivation(WriteItem item, OffsetDateTime activatedAt) {
        if (item.value("deactivated_at") instanceof OffsetDateTime deactivatedAt && !deactivatedAt.isAfter(activatedAt)) {
            item.problem("/attributes/deactivated_at", "deactivated_at must be after activated_at");
            return false;
        }
        return true;
    }

    /** A deactivation makes the activation's earnings ready for fulfillment, in the same transaction. */
    @Override
    public void afterWrite(WriteBatch batch) {
        for (WriteItem item : batch.written()) {
            if (!item.isCreate() && item.stored("deactivated_at") == null && item.value("deactivated_at") != null) {
                batch.dsl().update(RewardEarningResource.TYPE.table())
                        .set(RewardEarningResource.READY_FOR_FULFILLMENT, true)
                        .set(RewardEarningResource.UPDATED_AT, DSL.currentOffsetDateTime())
                        .where(RewardEarningResource.ACTIVATION_ID.eq(item.id()))
                        .and(RewardEarningResource.READY_FOR_FULFILLMENT.isFalse()).execute();
            }
        }
    }
}
