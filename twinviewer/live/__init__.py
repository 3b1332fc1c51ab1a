"""Live sensor events: the MQTT contract, the paho client thread and the listening service.

``contract`` checks topics and payloads, ``client`` runs paho-mqtt 2.x on its own
thread and only queues raw messages, ``service`` drains the queue (on the GUI
thread or in ``twinviewer listen``), records valid events once in the store, feeds
the alert engine and opens cases for life-safety alerts.
"""
