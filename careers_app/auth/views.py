from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..security import public, safe_next
from ..templating import render
from . import services
from .forms import ChangePasswordForm, LoginForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session at every login (no fixation)
            login_user(user)
            session.permanent = True
            return redirect(safe_next(next_url, url_for("main.index")), 303)
        form.password.errors.append("That username and password do not match an account.")
    status = 422 if form.errors else 200
    return render("auth/login.html", fragment="content", status=status, form=form)


@bp.post("/logout")
def logout():
    services.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        error = services.change_password(user, form.current_password.data, form.new_password.data)
        if error is None:
            session.clear()
            login_user(user)  # the version changed, so the cookie must be reissued
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.index"), 303)
        form.current_password.errors.append(error)
    status = 422 if form.errors else 200
    return render("auth/change_password.html", fragment="content", status=status, form=form)
