from __future__ import annotations

from django import forms

SCALE = [
    ("1", "1: Strongly disagree"),
    ("2", "2: Disagree"),
    ("3", "3: Neither agree nor disagree"),
    ("4", "4: Agree"),
    ("5", "5: Strongly agree"),
]

# (field, statement, pilot criterion number), in the criteria's order. The first three
# were asked from the start; keep their wording so answers stay comparable over months.
QUESTIONS = [
    ("quicker", "This service makes my casework tasks easier and quicker.", 1),
    (
        "engagement",
        "This service helps me engage with constituents and manage the actions I take for them.",
        2,
    ),
    (
        "reminders",
        "This service reminds me in good time of the actions that matter "
        "(BFs, officers' replies due).",
        3,
    ),
    ("tracking", "This service helps me keep track of what has been done on each case.", 4),
    ("easy", "This service is simple and easy to use.", 5),
    ("time_saved", "This service frees up time I used to spend on casework admin.", 6),
]


class SurveyForm(forms.Form):
    quicker = forms.ChoiceField(choices=SCALE, widget=forms.RadioSelect)
    engagement = forms.ChoiceField(choices=SCALE, widget=forms.RadioSelect)
    easy = forms.ChoiceField(choices=SCALE, widget=forms.RadioSelect)
    reminders = forms.ChoiceField(choices=SCALE, widget=forms.RadioSelect)
    tracking = forms.ChoiceField(choices=SCALE, widget=forms.RadioSelect)
    time_saved = forms.ChoiceField(choices=SCALE, widget=forms.RadioSelect)
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)

    def questions(self) -> list[dict]:
        return [
            {"field": self[name], "statement": statement, "criterion": criterion}
            for name, statement, criterion in QUESTIONS
        ]
