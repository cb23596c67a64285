# The channels of the test server: TicksChannel streams the broadcasts of
# 'ticks' ({"seq":n} every TICK_MS); RejectChannel refuses every
# subscription (reject_subscription).
class TicksChannel < ApplicationCable::Channel
  def subscribed
    stream_from 'ticks'
  end
end

class RejectChannel < ApplicationCable::Channel
  def subscribed
    reject
  end
end
