from django.urls import path

from tickets.views import alerts, clocks, desk

urlpatterns = [
    path("", desk.home, name="home"),
    path("tickets/", desk.ticket_list, name="ticket-list"),
    path("tickets/<int:pk>/", desk.ticket_detail, name="ticket-detail"),
    path("tickets/<int:pk>/reply/", desk.ticket_reply, name="ticket-reply"),
    path("tickets/<int:pk>/escalate/", desk.ticket_escalate_view, name="ticket-escalate"),
    path("tickets/<int:pk>/note/", desk.ticket_note, name="ticket-note"),
    path("tickets/<int:pk>/returns/<int:return_pk>/received/", desk.ticket_return_received,
         name="ticket-return-received"),
    path("tickets/<int:pk>/proposals/<int:proposal_pk>/decide/", desk.ticket_proposal_decide,
         name="ticket-proposal-decide"),
    path("clocks/", clocks.clock_list, name="clock-list"),
    path("alerts/", alerts.alert_list, name="alert-list"),
    path("alerts/read-all/", alerts.alert_read_all, name="alert-read-all"),
    path("alerts/<int:pk>/read/", alerts.alert_read, name="alert-read"),
    path("alerts/<int:pk>/ack/", alerts.alert_ack, name="alert-ack"),
]
