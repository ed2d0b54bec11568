package ptacycle

// BilanReport is the review of a year as its report shows it: the execution
// rates, the workshop, and the recommendations with what answers them.
type BilanReport struct {
	Organisation    Organisation             `json:"organisation"`
	Year            int                      `json:"year"` // the cycle's year; its bilan reviews Year-1
	Bilan           Bilan                    `json:"bilan"`
	Recommendations []RecommendationFollowUp `json:"recommendations"`
	// RecommendationsFrozen: the list was adopted (see RecommendationsFrozen);
	// until then a recommendation not adopted is proposed, not refused.
	RecommendationsFrozen bool `json:"recommendationsFrozen"`
}

// RecommendationFollowUp is a recommendation with the plan's actions that
// answer it and the execution of their activities so far.
type RecommendationFollowUp struct {
	Recommendation
	Unit    string   `json:"unit"`    // the unit it is addressed to, "" when none
	Actions []Action `json:"actions"` // in code order
	Rate    Rate     `json:"rate"`    // of the activities of Actions
}

// NewBilanReport assembles the report of a cycle from its bilan and its plan
// (whose Recommendations are the cycle's).
func NewBilanReport(org Organisation, year int, b Bilan, plan PlanContent, units []Unit) BilanReport {
	r := BilanReport{Organisation: org, Year: year, Bilan: b}
	unitName := map[int64]string{}
	for _, u := range units {
		unitName[u.ID] = u.Name
	}
	for _, rec := range plan.Recommendations {
		f := RecommendationFollowUp{Recommendation: rec}
		if rec.UnitID != nil {
			f.Unit = unitName[*rec.UnitID]
		}
		answering := map[int64]bool{}
		for _, a := range plan.Actions {
			for _, id := range rec.ActionIDs {
				if a.ID == id {
					f.Actions = append(f.Actions, a)
					answering[a.ID] = true
				}
			}
		}
		var items []RateItem
		for _, a := range plan.Activities {
			if answering[a.ActionID] {
				items = append(items, RateItem{Status: a.Status, Progress: a.Progress})
			}
		}
		f.Rate = ComputeRate(items)
		r.Recommendations = append(r.Recommendations, f)
	}
	return r
}
