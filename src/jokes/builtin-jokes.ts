/**
 * Jokes written for this service, so a call always has something to say when no joke API
 * is configured or reachable. They are read aloud by text-to-speech, so each is plain prose:
 * no emoji, no abbreviations, no wordplay that only works on the page, and short enough to
 * finish before the listener wonders why a stranger is talking.
 */
export const BUILTIN_JOKES: readonly string[] = Object.freeze([
  // Telephones and calls
  'The phone company offered me unlimited calls. Now I just need unlimited people who want to talk to me.',
  'I pressed zero to speak to a human. The machine said, I am deeply offended, but please hold.',
  'Press one for billing, press two for support, and press three if you just need someone to listen for a minute.',
  'My friend says I spend too much time on the phone. I told him I would call him later to talk about it.',
  'My dog barks every time the phone rings, as if to remind it that he is the one in charge of this house.',
  'I put my phone on do not disturb. Now it will not even tell me about its own problems, and honestly, I respect that.',
  'I left my phone in the fridge by accident. Now it only wants to talk about cool things.',
  'My phone unlocks when it sees my face, except on Monday mornings, when it refuses to believe it is me.',
  'My phone said it had one percent battery left, so I gave it a pep talk. It thanked me and then fainted dramatically.',
  'An owl took a job answering phones on the night shift. Every caller got the same greeting: who, who is calling, please?',
  'The rooster was wonderful at the wake up call service. The only complaint was that every call came at five in the morning.',
  'I tried to phone someone on the other side of the world. They said it was already tomorrow there, and asked me to call back yesterday.',

  // Voicemail and hold music
  'My voicemail box is so full that it has started leaving messages for me. The latest one just says, please, no more.',
  'My answering machine has a better social life than I do. It hears from people I have not spoken to in years.',
  'I left a voicemail for my future self. He still has not called back, but I hear he is very busy.',
  'I stayed on hold so long that the hold music started asking me for requests.',
  'I asked the hold music how much longer it would be. It said it was on the third verse of forever and building to a big finish.',
  'Elevator music and hold music met at a party. They had nothing to say to each other, so they played the same tune for forty minutes.',

  // Clocks and time zones
  'I set my watch ten minutes fast so I would be on time. Now I subtract ten minutes in my head and arrive just as late, only more tired.',
  'I asked a sundial for the time on a cloudy day. It told me to mind my own business.',
  'The cuckoo clock retired after forty years. At the party it gave a short speech, and then the same speech exactly an hour later.',
  'An hourglass walked into a meeting and promised to keep it brief. Then it turned itself upside down and started all over again.',
  'My oven and my microwave disagree about the time by four minutes. I live in a kitchen with two time zones.',
  'I moved to a new time zone to get ahead in life. It worked for about three hours.',
  'Time zones are proof that the whole planet cannot agree on when lunch is.',
  'Every spring, my clock and I both lose an hour of sleep, and every spring we blame each other.',
  'A pendulum clock tried meditation. It was good at living in the moment, but its thoughts kept swinging back to the same place.',
  'My alarm clock and I have an understanding. It rings, I snooze, and we both pretend this will be the last time.',
  'I asked my cat what time it was. She said dinner time, which is also what she said an hour ago.',
  'The grandfather clock was asked to slow down in his old age. He said he would, but only a second at a time.',

  // Schedules and calendars
  'My calendar has so many meetings that the meetings have started scheduling meetings to discuss themselves.',
  'I tried to cancel a meeting about having fewer meetings. I was invited to a follow up meeting to discuss why.',
  'My calendar reminded me about a meeting fifteen minutes after it started. It is like a weather forecast for yesterday.',
  'I sorted my to do list by priority. Everything was urgent, so I added one more item called choose, and I still have not done it.',
  'The tortoise never misses a deadline. His secret is that every deadline he sets is for next year.',
  'I finally got my schedule under control. Then Tuesday happened, and Tuesday had other plans.',

  // Computers
  'My computer asked to restart to finish its updates. I said I had been trying to restart my whole life, and we sat quietly together for a while.',
  'I told my printer it was doing a great job. It believed me for one page, and then jammed out of embarrassment.',
  'My laptop fan is so loud the neighbours asked if I had bought a helicopter. I told them it was just thinking very hard about a spreadsheet.',
  'I asked my computer to remember my password. It said it would, and then asked me to remember it too, just to be safe.',
  'My computer felt under the weather, so I took it to a technician. He found one small bug and three hundred open tabs.',
  'A robot applied for a job at the library. It said it could sort every book in a second, and the librarian asked, yes, but can you whisper?',
  'I asked my smart speaker to tell me a joke. It said, you asked a speaker to be funny, and that was the joke.',
  'My computer and I agree on one thing. When it says it will be ready in two minutes, neither of us believes it.',

  // Queues
  'Our office queue is perfectly fair. Everyone waits exactly the same amount of time, which is all of it.',
  'A snail finally reached the front of the queue, just as the window closed. He said that was fine, he would be back next season.',
  'The queue at the bakery was so long that my bread went stale before I paid. The baker called it vintage and charged me extra.',
  'Penguins make the best queue. Everyone arrives dressed for a formal occasion, and nobody ever pushes in.',
  'I joined the shortest queue in the shop. It turned out to be the queue for people who like joining short queues.',

  // General
  'Gardening has taught me patience, mostly because the tomatoes never answer when I call.',
  'My umbrella and I have a deal. I carry it on every sunny day, and it stays home on every rainy one.',
  'My houseplant and I have a lot in common. We both need water, sunlight, and someone to tell us we are doing great.',
  'My kettle is very dramatic. It sits quietly for two minutes, then screams as if nobody has ever made tea before.',
]);
