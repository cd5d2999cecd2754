from django.urls import path

from tickets.views import desk

urlpatterns = [
    path("", desk.home, name="home"),
    path("tickets/", desk.ticket_list, name="ticket-list"),
    path("tickets/<int:pk>/", desk.ticket_detail, name="ticket-detail"),
]
