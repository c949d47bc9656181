# -*- coding: utf-8 -*-
"""Applications through the action API: every request kind end to end, the statutory
deadline rules, concurrency, retries, the event log and hostile input."""
from __future__ import annotations

import datetime
import threading

import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.govshare.access import rules as access
from ckanext.govshare.applications import workdays
from ckanext.govshare.model import Application, ApplicationEvent
from tests.factories import LEVEL_EXTRAS, entry

CITIZEN_ID = "11010519491231002X"


@pytest.fixture
def s(applications_world):
    """The shared setting (``applications_world`` in tests/conftest.py)."""
    return applications_world()


def _events(app_id: str) -> list[str]:
    return [e.action for e in model.Session.query(ApplicationEvent).filter_by(application_id=app_id)
            .order_by(ApplicationEvent.id)]


class TestOpenApplication:
    def test_end_to_end_apply_extend_approve_grants_access(self, s):
        app = s.apply()
        assert app["status"] == "submitted"
        # chongqing-2018 §24: reply within 15 working days of receipt
        received = datetime.datetime.fromisoformat(app["received_at"])
        assert datetime.datetime.fromisoformat(app["due_at"]) == workdays.deadline(received, 15).replace(tzinfo=None)
        assert app["reply_days"] == 15 and app["policy"] == "chongqing-2018"

        extended = helpers.call_action("govshare_application_extend", context=s.as_(s.head), id=app["id"],
                                       days=15, reason="数据需脱敏处理")
        assert extended["status"] == "extended"
        old_due = datetime.datetime.fromisoformat(app["due_at"])
        assert datetime.datetime.fromisoformat(extended["due_at"]) == \
            workdays.deadline(old_due, 15).replace(tzinfo=None)
        assert extended["extension_consented_by"] == s.head["id"]

        principal = access.principal_for(s.citizen["name"])
        assert not access.can_use_data(principal, model.Package.get(s.pkg["id"]))
        approved = helpers.call_action("govshare_application_approve", context=s.as_(s.clerk), id=app["id"],
                                       conditions="仅限研究使用，不得公开发布")
        assert approved["status"] == "approved" and approved["grant_id"]
        # the grant runs to the end of the period asked for
        grant = helpers.call_action("govshare_grant_list", context=s.as_(s.clerk), package_id=s.pkg["id"])[0]
        assert grant["expires_at"].startswith("2027-06-30T15:59:59")  # 23:59:59 in Beijing
        principal = access.principal_for(s.citizen["name"])
        assert access.can_use_data(principal, model.Package.get(s.pkg["id"]))
        shown = helpers.call_action("package_show", context=s.as_(s.citizen), id=s.pkg["id"])
        assert shown["resources"][0]["url"] == "https://data.example.gov.cn/chuzuche.csv"
        assert _events(app["id"]) == ["submit", "extend", "approve"]

    def test_only_conditional_entries(self, s):
        open_entry = entry(s.org, name="gongjiao")
        with pytest.raises(tk.ValidationError) as e:
            s.apply(package_id=open_entry["id"])
        assert "package_id" in e.value.error_dict

    @pytest.mark.parametrize("field,value", [
        ("id_number", "110105194912310021"), ("id_number", ""), ("agreement_accepted", False),
        ("purpose", ""), ("data_items", ""), ("applicant_type", "alien"), ("contact_phone", "abc"),
        ("period_end", "2026-01-01")])
    def test_form_fields_validated(self, s, field, value):
        with pytest.raises(tk.ValidationError) as e:
            s.apply(**{field: value})
        assert field in e.value.error_dict

    def test_company_with_credit_code(self, s):
        with pytest.raises(tk.ValidationError) as e:
            s.apply(applicant_type="legal_person", id_number="91350100M000100Y44")
        assert "GB 32100" in e.value.error_dict["id_number"][0]
        app = s.apply(applicant_type="legal_person", applicant_name="某某科技有限公司",
                      id_number="91350100M000100Y43")
        assert app["status"] == "submitted"
        # the account's identity is now this company's (identity.py): nobody applies in another's
        with pytest.raises(tk.ValidationError) as e:
            s.apply(applicant_type="legal_person", applicant_name="另一家公司", id_number="91350100M000100Y43")
        assert "applicant_name" in e.value.error_dict

    def test_id_number_masked_except_for_provider(self, s):
        app = s.apply()
        assert app["id_number"] == "110105********002X"
        assert helpers.call_action("govshare_application_show", context=s.as_(s.clerk),
                                   id=app["id"])["id_number"] == CITIZEN_ID
        assert helpers.call_action("govshare_application_show", context=s.as_(s.citizen),
                                   id=app["id"])["id_number"] == "110105********002X"


class TestDecisionRules:
    def test_refusal_requires_reasons_and_basis(self, s):
        """chongqing-2019 §33: 说明理由，并提供依据."""
        app = s.apply()
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_application_refuse", context=s.as_(s.clerk), id=app["id"])
        assert set(e.value.error_dict) == {"reason", "basis"}
        refused = helpers.call_action("govshare_application_refuse", context=s.as_(s.clerk), id=app["id"],
                                      reason="申请用途超出开放条件", basis="《重庆市政务数据资源管理暂行办法》第三十三条")
        assert refused["status"] == "refused"
        mine = helpers.call_action("govshare_application_show", context=s.as_(s.citizen), id=app["id"])
        assert mine["decision_reason"] == "申请用途超出开放条件"

    def test_no_second_extension(self, s):
        app = s.apply()
        helpers.call_action("govshare_application_extend", context=s.as_(s.head), id=app["id"], days=5, reason="需核实")
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_application_extend", context=s.as_(s.head), id=app["id"],
                                days=5, reason="再次延长")
        assert "second extension" in e.value.error_dict["id"][0]

    def test_no_extension_beyond_limit(self, s):
        """chongqing-2018 §24: extension at most 15 working days."""
        app = s.apply()
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_application_extend", context=s.as_(s.head), id=app["id"],
                                days=16, reason="需核实")
        assert "at most 15" in e.value.error_dict["days"][0]

    def test_extension_needs_the_heads_consent(self, s):
        app = s.apply()
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_application_extend", context=s.as_(s.clerk), id=app["id"],
                                days=5, reason="需核实")
        assert "consented_by" in e.value.error_dict
        # naming the head is not the head's consent (chongqing-2018 §24: 经负责人同意)
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_application_extend", context=s.as_(s.clerk), id=app["id"],
                                days=5, reason="需核实", consented_by="jtj-head")
        assert "consented_by" in e.value.error_dict
        helpers.call_action("govshare_application_extension_request", context=s.as_(s.clerk), id=app["id"],
                            days=5, reason="需核实")
        done = helpers.call_action("govshare_application_extend", context=s.as_(s.head), id=app["id"])
        assert done["extension_consented_by"] == s.head["id"] and done["extension_days"] == 5

    def test_extension_reason_required(self, s):
        app = s.apply()
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_application_extend", context=s.as_(s.head), id=app["id"], days=5)
        assert "reason" in e.value.error_dict

    @pytest.mark.parametrize("who", ["outsider", "citizen"])
    def test_no_decision_outside_the_providing_department(self, s, who):
        app = s.apply()
        user = getattr(s, who)
        for action, extra in (("approve", {}), ("refuse", {"reason": "x", "basis": "y"}),
                              ("extend", {"days": 3, "reason": "x"})):
            with pytest.raises(tk.NotAuthorized):
                helpers.call_action(f"govshare_application_{action}", context=s.as_(user), id=app["id"], **extra)

    def test_illegal_transitions(self, s):
        app = s.apply()
        helpers.call_action("govshare_application_withdraw", context=s.as_(s.citizen), id=app["id"])
        for action, extra in (("approve", {}), ("refuse", {"reason": "x", "basis": "y"})):
            with pytest.raises(tk.ValidationError) as e:
                helpers.call_action(f"govshare_application_{action}", context=s.as_(s.clerk), id=app["id"], **extra)
            assert "status" in e.value.error_dict
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("govshare_application_withdraw", context=s.as_(s.clerk), id=app["id"])

    def test_exactly_one_decision_under_concurrent_requests(self, s, app):
        application = s.apply()
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def decide(action: str, extra: dict) -> None:
            with app.flask_app.test_request_context():
                try:
                    barrier.wait()
                    helpers.call_action(f"govshare_application_{action}", context=s.as_(s.clerk),
                                        id=application["id"], **extra)
                    outcomes.append(action)
                except tk.ValidationError:
                    outcomes.append("refused-transition")
                finally:
                    model.Session.remove()

        threads = [threading.Thread(target=decide, args=("approve", {})),
                   threading.Thread(target=decide, args=("refuse", {"reason": "理由", "basis": "依据"}))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes).count("refused-transition") == 1, outcomes
        decisions = [a for a in _events(application["id"]) if a in ("approve", "refuse")]
        assert len(decisions) == 1


class TestRetries:
    def test_double_submit_returns_the_first(self, s):
        first = s.apply()
        second = s.apply()
        assert first["id"] == second["id"]
        assert model.Session.query(Application).count() == 1

    def test_client_token_retry(self, s):
        first = s.apply(client_token="form-123")
        helpers.call_action("govshare_application_withdraw", context=s.as_(s.citizen), id=first["id"])
        again = s.apply(client_token="form-123")
        assert again["id"] == first["id"] and again["status"] == "withdrawn"
        fresh = s.apply(client_token="form-456")
        assert fresh["id"] != first["id"]


class TestEventLog:
    def test_complete_and_not_editable(self, s):
        app = s.apply()
        helpers.call_action("govshare_application_refuse", context=s.as_(s.clerk), id=app["id"],
                            reason="理由", basis="依据")
        events = helpers.call_action("govshare_application_event_list", context=s.as_(s.citizen), id=app["id"])
        assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
            ("submit", None, "submitted"), ("refuse", "submitted", "refused")]
        assert events[1]["actor_user_id"] == s.clerk["id"] and events[1]["detail"]["basis"] == "依据"
        # no action edits or removes events
        assert not [name for name in tk.get_action.__globals__.get("_actions", {})
                    if "event" in name and not name.endswith(("_list", "_show"))]
        # and the database refuses it too
        with pytest.raises(sa.exc.DBAPIError):
            model.Session.execute(sa.text("UPDATE govshare_application_event SET action = 'approve'"))
        model.Session.rollback()
        with pytest.raises(sa.exc.DBAPIError):
            model.Session.execute(sa.text("DELETE FROM govshare_application_event"))
        model.Session.rollback()


class TestOtherKinds:
    def test_share_application_from_a_department(self, s):
        """chongqing-2018 §19: conditional share on application; shenyang-2016 §20(4) asks
        scope, purpose and data items."""
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_application_create", context=s.as_(s.outsider), kind="share",
                                package_id=s.pkg["id"], applicant_org_id=s.other_org["id"])
        assert {"purpose", "usage_scope", "data_items"} <= set(e.value.error_dict)
        app = helpers.call_action("govshare_application_create", context=s.as_(s.outsider), kind="share",
                                  package_id=s.pkg["id"], applicant_org_id=s.other_org["id"],
                                  purpose="行业监管", usage_scope="本部门", data_items="全部")
        assert app["reply_days"] == 10  # chongqing-2018 §19
        with pytest.raises(tk.ValidationError):
            helpers.call_action("govshare_application_extend", context=s.as_(s.head), id=app["id"],
                                days=5, reason="x")
        helpers.call_action("govshare_application_approve", context=s.as_(s.clerk), id=app["id"])
        principal = access.principal_for(s.outsider["name"])
        assert access.can_use_data(principal, model.Package.get(s.pkg["id"]))

    def test_citizen_cannot_file_share_application(self, s):
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action("govshare_application_create", context=s.as_(s.citizen), kind="share",
                                package_id=s.pkg["id"], applicant_org_id=s.org["id"],
                                purpose="x", usage_scope="y", data_items="z")
        assert "applicant_org_id" in e.value.error_dict

    @pytest.mark.parametrize("kind,days", [("error_report", 10), ("catalogue_correction", 10), ("open_demand", 15)])
    def test_reports_corrections_and_demands(self, s, kind, days):
        extra = {"package_id": s.pkg["id"]} if kind != "open_demand" else {"organization_id": s.org["id"]}
        with pytest.raises(tk.ValidationError):
            helpers.call_action("govshare_application_create", context=s.as_(s.citizen), kind=kind, **extra)
        app = helpers.call_action("govshare_application_create", context=s.as_(s.citizen), kind=kind,
                                  description="第3行的线路编号有误", **extra)
        assert app["reply_days"] == days
        inbox = helpers.call_action("govshare_application_list", context=s.as_(s.clerk), organization_id=s.org["id"])
        assert [a["id"] for a in inbox] == [app["id"]]
        done = helpers.call_action("govshare_application_approve", context=s.as_(s.clerk), id=app["id"],
                                   reply="已更正")
        assert done["status"] == "approved" and done["grant_id"] is None


class TestInbox:
    def test_sorted_by_deadline_with_flags(self, s):
        first = s.apply()
        other = entry(s.org, name="second", open_type="conditional", **LEVEL_EXTRAS[("conditional", "unconditional")])
        second = s.apply(package_id=other["id"])
        model.Session.query(Application).filter_by(id=second["id"]).update(
            {"due_at": datetime.datetime.utcnow() - datetime.timedelta(days=1)})
        model.Session.commit()
        inbox = helpers.call_action("govshare_application_list", context=s.as_(s.clerk),
                                    organization_id=s.org["id"], status="pending")
        assert [a["id"] for a in inbox] == [second["id"], first["id"]]
        assert inbox[0]["overdue"] and not inbox[1]["overdue"]
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("govshare_application_list", context=s.as_(s.citizen), organization_id=s.org["id"])


class TestHostileInput:
    @pytest.mark.parametrize("field,value", [
        ("purpose", "长" * 20001), ("purpose", "研究\x00用途"), ("applicant_name", "张三\x1b[31m"),
        ("id_number", "' OR 1=1 --"), ("contact_email", "<script>@x")])
    def test_refused_with_a_clear_error(self, s, field, value):
        with pytest.raises(tk.ValidationError) as e:
            s.apply(**{field: value})
        assert field in e.value.error_dict

    def test_markup_stored_as_text(self, s):
        app = s.apply(purpose="<img src=x onerror=alert(1)>研究")
        assert helpers.call_action("govshare_application_show", context=s.as_(s.clerk),
                                   id=app["id"])["purpose"] == "<img src=x onerror=alert(1)>研究"


class TestDeadlinesCommand:
    def test_overdue_and_reminders_once(self, s, cli):
        from ckan.cli.cli import ckan
        from ckanext.govshare.applications import reminders

        app = s.apply()
        model.Session.query(Application).filter_by(id=app["id"]).update(
            {"due_at": datetime.datetime.utcnow() - datetime.timedelta(hours=1)})
        model.Session.commit()
        assert reminders.process() == {"reminded": 0, "overdue": 1}
        assert reminders.process() == {"reminded": 0, "overdue": 0}
        result = cli.invoke(ckan, ["govshare", "deadlines"])
        assert result.exit_code == 0 and "overdue: 0" in result.output
        assert _events(app["id"]).count("overdue") == 1


@pytest.mark.ckan_config("ckan.site_url", "http://test.ckan.net")
def test_emails_on_submission_and_decision(s, mail_server, run_jobs):
    app = s.apply(contact_email="zhangsan@example.com")
    helpers.call_action("govshare_application_refuse", context=s.as_(s.clerk), id=app["id"],
                        reason="理由", basis="依据")
    assert mail_server.get_smtp_messages() == []  # queued, not sent inside the request
    run_jobs()
    recipients = [m[2] for m in mail_server.get_smtp_messages()]
    assert ["zhangsan@example.com"] in recipients  # confirmation and decision
    assert any(r == [model.User.get("jtj-clerk").email] for r in recipients)  # the department
    assert len(mail_server.get_smtp_messages()) >= 3


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckanext.govshare.deadline_policy", "chongqing-2019")
def test_the_running_policy_is_published():
    """The deadlines the actions apply, as the API documents them (chongqing-2019 §33: 10
    working days, one extension of 10 with the principal head's consent; §14 upkeep)."""
    shown = helpers.call_action("govshare_deadline_policy_show", context={"user": "", "ignore_auth": False})
    assert shown["name"] == "chongqing-2019" and shown["due_soon_days"] == 3
    open_kind = next(k for k in shown["kinds"] if k["kind"] == "open")
    assert (open_kind["reply_days"], open_kind["reply_article"], open_kind["extension_days"],
            open_kind["extension_consent"]) == (10, "chongqing-2019 §33", 10, "provider_principal_head")
    assert {u["duty"]: u["days"] for u in shown["upkeep"]}["catalogue_update_review"] == 5
    assert helpers.call_action("govshare_deadline_policy_show", name="shenyang-2016")["name"] == "shenyang-2016"
    for bad in ("/etc/passwd", ["chongqing-2018"], "beijing-2020"):
        with pytest.raises(tk.ValidationError):
            helpers.call_action("govshare_deadline_policy_show", name=bad)
