from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..domain.passwords import MAX_LENGTH as MAX_PASSWORD
from ..domain.passwords import MIN_LENGTH as MIN_PASSWORD
from ..domain.passwords import password_problem
from ..forms import Form


class LoginForm(Form):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)],
                             render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(Form):
    current_password = PasswordField("Current password", validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        "New password", validators=[DataRequired()],
        description=f"At least {MIN_PASSWORD} characters. A short phrase is easiest to remember.",
        render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new_password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"})

    def __init__(self, *args, username: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._username = username

    def validate_new_password(self, field):
        problem = password_problem(field.data or "", self._username)
        if problem:
            raise ValidationError(problem)
