"""core.forms.Bootstrap: the one form-styling idiom of the pages."""

from django import forms

from dangjian.core.forms import Bootstrap, DateInput, StyledForm


class Sample(StyledForm):
    text = forms.CharField()
    when = forms.DateField()
    kind = forms.ChoiceField(choices=[("a", "A")])
    many = forms.MultipleChoiceField(choices=[("a", "A")], required=False)
    ticks = forms.MultipleChoiceField(
        choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, required=False
    )
    flag = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"class": "font-monospace"}))
    version = forms.IntegerField(widget=forms.HiddenInput)


def _classes(form):
    return {name: f.widget.attrs.get("class", "") for name, f in form.fields.items()}


def test_every_widget_gets_its_bootstrap_class():
    form = Sample()
    assert _classes(form) == {
        "text": "form-control",
        "when": "form-control",
        "kind": "form-select",
        "many": "form-select",
        "ticks": "",
        "flag": "form-check-input",
        "notes": "form-control font-monospace",
        "version": "form-control",
    }
    assert isinstance(form.fields["when"].widget, DateInput)
    assert 'type="date"' in str(form["when"])


def test_styling_again_changes_nothing():
    form = Sample()
    before = _classes(form)
    form.style()
    assert _classes(form) == before


def test_fields_with_errors_are_marked_invalid():
    form = Sample(data={"text": "x", "kind": "a", "notes": "n", "version": "1"})
    assert not form.is_valid()
    classes = _classes(form)
    assert classes["when"] == "form-control is-invalid"
    assert classes["text"] == "form-control"


def test_the_mixin_works_on_model_forms():
    from dangjian.registry.models import Domain

    class DomainForm(Bootstrap, forms.ModelForm):
        class Meta:
            model = Domain
            fields = ["name"]

    assert DomainForm().fields["name"].widget.attrs["class"] == "form-control"
