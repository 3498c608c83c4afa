from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

MIN_PASSWORD = 8
MAX_PASSWORD = 128


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)],
                             render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(),
                    Length(min=MIN_PASSWORD, message=f"Use at least {MIN_PASSWORD} characters."),
                    Length(max=MAX_PASSWORD, message=f"Use at most {MAX_PASSWORD} characters.")],
        description=f"At least {MIN_PASSWORD} characters. A short phrase is easiest to remember.",
        render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new_password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"})
