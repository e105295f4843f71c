package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vista-optical/vista/backend/lens"
)

type examDoc struct {
	ID             string     `bson:"_id"`
	CustomerID     string     `bson:"customer_id"`
	MemberID       string     `bson:"member_id"`
	ShopID         string     `bson:"shop_id"`
	DueOn          string     `bson:"due_on"`
	RecordedBy     string     `bson:"recorded_by"`
	NextReminderAt *time.Time `bson:"next_reminder_at,omitempty"`
	UpdatedAt      time.Time  `bson:"updated_at"`
}

func (d *examDoc) model() *lens.Exam {
	return &lens.Exam{ID: d.ID, CustomerID: d.CustomerID, MemberID: d.MemberID, ShopID: d.ShopID, DueOn: d.DueOn,
		RecordedBy: d.RecordedBy, NextReminderAt: utcp(d.NextReminderAt), UpdatedAt: utc(d.UpdatedAt)}
}

// UpsertExam implements lens.ExamStore: one upsert on the unique
// (customer_id, member_id) pair.
func (db *DB) UpsertExam(ctx context.Context, e *lens.Exam) error {
	set := bson.D{{Key: "shop_id", Value: e.ShopID}, {Key: "due_on", Value: e.DueOn}, {Key: "recorded_by", Value: e.RecordedBy},
		{Key: "updated_at", Value: e.UpdatedAt}}
	update := bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "_id", Value: e.ID}}}}
	if e.NextReminderAt != nil {
		set = append(set, bson.E{Key: "next_reminder_at", Value: *e.NextReminderAt})
	} else {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "next_reminder_at", Value: ""}}})
	}
	update = append(update, bson.E{Key: "$set", Value: set})
	var d examDoc
	filter := bson.D{{Key: "customer_id", Value: e.CustomerID}, {Key: "member_id", Value: e.MemberID}}
	err := db.col(colExams).FindOneAndUpdate(ctx, filter, update, afterUpsert()).Decode(&d)
	if mongoDuplicate(err) {
		err = db.col(colExams).FindOneAndUpdate(ctx, filter, update, afterUpsert()).Decode(&d)
	}
	if err != nil {
		return mapErr(err)
	}
	e.ID = d.ID
	return nil
}

// Exams implements lens.ExamStore.
func (db *DB) Exams(ctx context.Context, customerID string) ([]*lens.Exam, error) {
	cur, err := db.col(colExams).Find(ctx, bson.D{{Key: "customer_id", Value: customerID}}, options.Find().SetSort(bson.D{{Key: "member_id", Value: 1}}))
	return all(ctx, cur, err, (*examDoc).model)
}

// DueExams implements lens.ExamStore.
func (db *DB) DueExams(ctx context.Context, now time.Time, limit int) ([]*lens.Exam, error) {
	if limit <= 0 { // no rows, as in SQL (a MongoDB limit of 0 is none)
		return []*lens.Exam{}, nil
	}
	cur, err := db.col(colExams).Find(ctx, bson.D{{Key: "next_reminder_at", Value: bson.D{{Key: "$lte", Value: now}}}},
		options.Find().SetSort(bson.D{{Key: "next_reminder_at", Value: 1}}).SetLimit(int64(limit)))
	return all(ctx, cur, err, (*examDoc).model)
}

// AdvanceExamReminders implements lens.ExamStore.
func (db *DB) AdvanceExamReminders(ctx context.Context, as []lens.Advance) (int, error) {
	moved := 0
	for _, a := range as {
		update := bson.D{{Key: "$unset", Value: bson.D{{Key: "next_reminder_at", Value: ""}}}}
		if a.Next != nil {
			update = bson.D{{Key: "$set", Value: bson.D{{Key: "next_reminder_at", Value: *a.Next}}}}
		}
		res, err := db.col(colExams).UpdateOne(ctx, bson.D{{Key: "_id", Value: a.ID}, {Key: "next_reminder_at", Value: a.Prev}}, update)
		if err != nil {
			return moved, mapErr(err)
		}
		moved += int(res.MatchedCount)
	}
	return moved, nil
}

// DeleteExams implements lens.ExamStore.
func (db *DB) DeleteExams(ctx context.Context, customerID string) error {
	_, err := db.col(colExams).DeleteMany(ctx, bson.D{{Key: "customer_id", Value: customerID}})
	return mapErr(err)
}
