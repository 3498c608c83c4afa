import time

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..security import public, safe_next
from ..templating import redirect_after_write, render
from . import services, throttle
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
        # request.remote_addr is the client's own address when TRUSTED_PROXIES is set.
        result = services.authenticate(
            form.username.data, form.password.data, ip=request.remote_addr or "",
            device_cookie=request.cookies.get(throttle.DEVICE_COOKIE),
            secret_key=current_app.config["SECRET_KEY"])
        if result.user is not None:
            start_session(result.user)
            response = redirect_after_write(safe_next(next_url, url_for("main.index")))
            remember_device(response, result.user)
            return response
        form.password.errors.append(result.error)
    status = 422 if form.errors else 200
    return render("auth/login.html", fragment="content", status=status, form=form)


def remember_device(response, user) -> None:
    """Give this browser a device cookie for the account and its current password, so a
    throttle on the account (someone guessing elsewhere) does not lock its owner out here."""
    token = throttle.device_token(current_app.config["SECRET_KEY"], user.id, user.password_hash)
    response.set_cookie(throttle.DEVICE_COOKIE, token,
                        max_age=int(throttle.DEVICE_COOKIE_AGE.total_seconds()),
                        httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def start_session(user) -> None:
    """A brand-new session for this user: no fixation, with the times the timeouts need."""
    session.clear()
    login_user(user)
    session.permanent = True
    now = int(time.time())
    session["login_at"] = now
    session["seen_at"] = now


@bp.post("/logout")
def logout():
    services.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have logged out.", "info")
    return redirect_after_write(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm(username=current_user.username)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        error = services.change_password(user, form.current_password.data, form.new_password.data)
        if error is None:
            start_session(user)  # the version changed, so the cookie must be reissued
            flash("Your password has been changed.", "success")
            response = redirect_after_write(url_for("main.index"))
            # The change revoked every device cookie for the account; this browser gets a new one.
            remember_device(response, user)
            return response
        form.current_password.errors.append(error)
    status = 422 if form.errors else 200
    return render("auth/change_password.html", fragment="content", status=status, form=form)
